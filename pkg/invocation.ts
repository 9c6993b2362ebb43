// How the user typed the command, for help and examples. kubectl sets no environment variable
// for plugins, but it runs the `kubectl-kdiag` executable it found on PATH, so that basename
// means "run as a kubectl plugin", and `kubectl_complete-kdiag` means "complete for kubectl".
// The launcher npm installs (cmd/launcher.sh) starts the bundle by its own path, so it passes the
// name it was run by as KDIAG_INVOKED_AS.

import path from "node:path";

export type InvocationName = "kubectl kdiag" | "kdiag" | "completion";

// Taken out of the environment as kdiag starts, so that the programs it runs (`logs -- CMD`,
// another kdiag started without the launcher) do not inherit it.
const launcherName = process.env.KDIAG_INVOKED_AS;
delete process.env.KDIAG_INVOKED_AS;

export function getInvocationName(scriptPath: string | undefined, invokedAs = launcherName): InvocationName {
  const name = invokedAs || scriptPath;
  if (name === undefined) return "kdiag";
  const base = path.basename(name).replace(/\.(c|m)?js$/, "");
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
