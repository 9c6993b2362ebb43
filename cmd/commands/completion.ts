// `kubectl kdiag completion`: yargs' bash/zsh completion script. The script's function and
// command names cannot contain a space, so it completes the executable itself: `kdiag`, or
// `kubectl-kdiag` when run as a plugin (both are on PATH where kdiag is installed).
import type { Argv, CommandModule } from "yargs";

/** yargs 18 takes the executable name here; @types/yargs (17) does not declare the parameters. */
interface CompletionScriptPrinter {
  showCompletionScript(executable: string, command: string): unknown;
}

export function createCompletionCommand(options: { executable: string; getCli: () => Argv }): CommandModule {
  return {
    command: "completion",
    describe: `Print a bash or zsh completion script for \`${options.executable}\` (add it to ~/.bashrc or ~/.zshrc)`,
    handler: () => {
      const cli: CompletionScriptPrinter = options.getCli() as unknown as CompletionScriptPrinter;
      cli.showCompletionScript(options.executable, "completion");
    },
  };
}
