// How every command line ends, whether yargs parsed it (kubectl-kdiag.ts) or not
// (direct-command.ts): a usage error in kubectl's two lines and exit 2, another failure in one
// line and its exit code, and the process exits even when streams are left open.
import { UsageError, usageExitCode } from "../pkg/errors.ts";
import { reportError } from "../pkg/output/report-error.ts";

/** As kubectl does: the reason, then where the usage is (`hint`); not the whole help before the reason. */
export function exitWithUsageError(message: string, hint: string): never {
  reportError(new UsageError(message.replace(/\s*\n\s*/g, " ")));
  process.stderr.write(`${hint}\n`);
  process.exit(usageExitCode);
}

export async function runToExit(run: () => Promise<unknown>, usageHint: () => string): Promise<never> {
  try {
    await run();
  } catch (error) {
    if (error instanceof UsageError) exitWithUsageError(error.message, usageHint());
    reportError(error);
    process.exitCode = typeof error === "object" && error !== null && "exitCode" in error && typeof error.exitCode === "number" ? error.exitCode : 1;
  }
  // Streams a command left open (stdin, gRPC channels, sockets) must not keep us alive.
  process.exit(process.exitCode ?? 0);
}
