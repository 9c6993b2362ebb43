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
