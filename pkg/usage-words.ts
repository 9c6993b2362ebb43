// yargs' words for a mistyped command line, in kubectl's: kubectl (cobra) says `unknown command
// "x"` (with the names within two edits), `unknown flag: --x`, `flag needs an argument: --x`;
// yargs says `Unknown argument: x` for a command and a flag alike, and its suggestion ("Did you
// mean logs?") replaced the reason. Pure; test/unit/usage-words.test.ts.

/** MESSAGE from yargs about ARGS (the words after the executable), as kubectl would put it. */
export function inKubectlWords(message: string, args: readonly string[], commands: readonly string[]): string {
  const valueless = /^Not enough arguments following: (\S+)$/.exec(message)?.[1];
  if (valueless !== undefined) return `flag needs an argument: ${dashes(valueless)}${valueless}`;
  const unknown = /^Unknown arguments?: (.+)$/.exec(message)?.[1]?.split(", ");
  if (unknown === undefined) return message;
  const words = args.includes("--") ? args.slice(0, args.indexOf("--")) : args;
  const typed = unknown.find((word) => words.includes(word));
  if (typed !== undefined && !words.some((word) => commands.includes(word))) {
    const close = commands.filter((name) => name.startsWith(typed) || editDistance(typed, name) <= 2);
    const last = close.pop();
    return `unknown command "${typed}"${last === undefined ? "" : `; did you mean ${[close.join(", "), last].filter(Boolean).join(" or ")}?`}`;
  }
  const flag = unknown.find((name) => words.some((word) => word === `${dashes(name)}${name}` || word.startsWith(`${dashes(name)}${name}=`)));
  if (flag !== undefined) return `unknown flag: ${dashes(flag)}${flag}`;
  return `unexpected argument${unknown.length > 1 ? "s" : ""}: ${unknown.join(", ")}`;
}

function dashes(flag: string): string {
  return flag.length === 1 ? "-" : "--";
}

/** Levenshtein distance: insertions, deletions and substitutions of one character each. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
