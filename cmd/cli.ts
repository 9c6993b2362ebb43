// Everything of the CLI that cmd/start.ts does not answer itself. The build makes this module and
// all it imports one CommonJS chunk that start.ts loads through V8's code cache, as client-node
// and grpc-js are (pkg/code-cache.ts): Node 20 keeps no code cache for ES modules, and resolving,
// reading and compiling the ~40 ES chunks a shell needed took a fifth of it.
import type { InvocationName } from "../pkg/invocation.ts";
import { tryRunDirectly } from "./direct-command.ts";

export async function runCli(args: string[], invocation: InvocationName): Promise<void> {
  // The yargs command tree (it parses process.argv itself) only where the plain path declines.
  if (!(await tryRunDirectly(args, invocation))) await (await import("./kubectl-kdiag.ts")).runCommandTree(invocation);
}
