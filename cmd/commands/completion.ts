// `kdiag completion`: a bash/zsh script for kdiag run by itself. It asks `kdiag __complete` —
// the same completion kubectl asks through `kubectl_complete-kdiag` — so there is one way of
// completing; `kubectl kdiag <TAB>` needs only kubectl's own completion script.
import type { CommandModule } from "yargs";

const script = `# kdiag completion for bash; for zsh, first: autoload -U +X bashcompinit && bashcompinit
_kdiag_complete() {
  local IFS=$'\\n' out directive candidate
  out=$("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return
  directive=\${out##*:}
  # One candidate a line, never glob-expanded, and quoted as the shell would need it typed: a
  # kubeconfig's context name is anyone's to choose.
  COMPREPLY=()
  while IFS= read -r candidate; do COMPREPLY+=("$(printf '%q' "$candidate")"); done < <(printf '%s\\n' "$out" | sed '$d' | cut -f1)
  # cobra's directive 4: no file names when there is no candidate.
  if (( (directive & 4) == 0 )) && [[ \${#COMPREPLY[@]} -eq 0 ]]; then
    COMPREPLY=($(compgen -f -- "\${COMP_WORDS[COMP_CWORD]}"))
  fi
}
complete -F _kdiag_complete kdiag
`;

export const completionCommand: CommandModule = {
  command: "completion",
  describe: "Print a bash or zsh completion script for `kdiag` run by itself (`kubectl kdiag` completes through kubectl's own)",
  handler: () => {
    process.stdout.write(script);
  },
};
