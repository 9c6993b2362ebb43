// kdiag's CLI: the yargs command tree and what happens to errors, loaded by cmd/start.ts for
// every command it does not answer itself. No logic here: each command's builder lives in
// cmd/commands, its work in pkg (loaded only when it runs).
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { UsageError, usageExitCode } from "../pkg/errors.ts";
import { getInvocationName } from "../pkg/invocation.ts";
import { reportError } from "../pkg/output/report-error.ts";
import { renderedHelpWidth } from "../pkg/rendered-help.ts";
import { markStep } from "../pkg/output/step-timings.ts";
import { createCompletionCommand } from "./commands/completion.ts";
import { logsCommand } from "./commands/logs.ts";
import { manageCommand } from "./commands/manage.ts";
import { psCommand } from "./commands/ps.ts";
import { redirCommand } from "./commands/redir.ts";
import { shellCommand } from "./commands/shell.ts";
import { versionCommand } from "./commands/version.ts";
import { addGlobalOptions } from "./options.ts";

const invocation = getInvocationName(process.argv[1]);
const executable = invocation === "kubectl kdiag" ? "kubectl-kdiag" : "kdiag";

const cli: Argv = addGlobalOptions(yargs(hideBin(process.argv)))
  .scriptName(invocation)
  .usage(`$0 <command> [options]\n\nDebug pods whose images have no shell: a shell, their processes, logs around a command, reverse port-forwards.`)
  // Repeatable flags take one value each (`-l a -l b`), as kubectl's do; stray words stay stray.
  .parserConfiguration({ "populate--": true, "greedy-arrays": false })
  .command(shellCommand)
  .command(logsCommand)
  .command(redirCommand)
  .command(psCommand)
  .command(manageCommand)
  .command(versionCommand)
  .command(createCompletionCommand({ executable, getCli: () => cli }))
  .completion("__complete", false)
  .demandCommand(1, "choose a command")
  .recommendCommands()
  .strict()
  .version(false)
  .help()
  .alias("help", "h")
  .wrap(Math.min(renderedHelpWidth, process.stdout.columns || renderedHelpWidth))
  .fail((message, error, instance) => {
    // An error thrown by a handler also reaches parseAsync's rejection, handled below.
    if (error && !(error instanceof UsageError)) return;
    showUsageError(instance, message ?? error?.message ?? "invalid usage");
  });

function showUsageError(instance: Argv, message: string): never {
  instance.showHelp((help) => process.stderr.write(`${help}\n\n`));
  reportError(new UsageError(message.replace(/\s*\n\s*/g, " ")));
  process.exit(usageExitCode);
}

// No top-level await: the single-executable build bundles this file as CommonJS.
async function main(): Promise<never> {
  markStep("command tree loaded");
  try {
    await cli.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) showUsageError(cli, error.message);
    reportError(error);
    process.exitCode = typeof error === "object" && error !== null && "exitCode" in error && typeof error.exitCode === "number" ? error.exitCode : 1;
  }
  // Streams a command left open (stdin, gRPC channels, sockets) must not keep us alive.
  process.exit(process.exitCode ?? 0);
}

void main();
