// How the user typed the command, for help and examples. kubectl sets no environment variable
// for plugins, but it runs the `kubectl-kdiag` executable it found on PATH, so that basename
// means "run as a kubectl plugin", and `kubectl_complete-kdiag` means "complete for kubectl".

import path from "node:path";

export type InvocationName = "kubectl kdiag" | "kdiag" | "completion";

export function getInvocationName(scriptPath: string | undefined): InvocationName {
  if (scriptPath === undefined) return "kdiag";
  const base = path.basename(scriptPath).replace(/\.(c|m)?js$/, "");
  if (base === "kubectl_complete-kdiag") return "completion";
  return base === "kubectl-kdiag" ? "kubectl kdiag" : "kdiag";
}

/** kubectl's line after a usage error, pointing at the help of the command the user typed. */
export function formatUsageHint(invocation: InvocationName, command: string | undefined): string {
  return `See '${invocation}${command === undefined ? "" : ` ${command}`} --help' for usage.`;
}

/** The first word of `args` that names a command, stopping at `--`. */
export function findCommandName(args: readonly string[], commands: readonly string[]): string | undefined {
  const end = args.indexOf("--");
  return (end === -1 ? args : args.slice(0, end)).find((arg) => commands.includes(arg));
}
