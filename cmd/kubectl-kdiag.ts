// kdiag's CLI: the yargs command tree and what happens to errors, loaded by cmd/start.ts for
// every command it does not answer itself. No logic here: each command's builder lives in
// cmd/commands, its work in pkg (loaded only when it runs).
import yargs, { type Argv } from "yargs";
import { hideBin } from "yargs/helpers";
import { UsageError, usageExitCode } from "../pkg/errors.ts";
import { findCommandName, formatUsageHint, getInvocationName } from "../pkg/invocation.ts";
import { reportError } from "../pkg/output/report-error.ts";
import { inKubectlWords } from "../pkg/usage-words.ts";
import { renderedHelpWidth } from "../pkg/rendered-help.ts";
import { markStep } from "../pkg/output/step-timings.ts";
import { commands } from "./command-list.ts";
import { completionCommand } from "./commands/completion.ts";
import { completeCommandName, runCompleteCommand } from "./completion/complete-command.ts";
import { addGlobalOptions } from "./options.ts";

const invocation = getInvocationName(process.argv[1]);
// kubectl runs `kubectl_complete-kdiag WORDS…` to complete `kubectl kdiag WORDS…`.
const args = invocation === "completion" ? [completeCommandName, ...hideBin(process.argv)] : hideBin(process.argv);
const commandNames = [...commands.map((command) => String(command.command).split(" ", 1)[0] ?? ""), "completion"];

const cli: Argv = addGlobalOptions(yargs(args))
  .scriptName(invocation === "kdiag" ? "kdiag" : "kubectl kdiag")
  .usage(`$0 <command> [options]\n\nDebug pods whose images have no shell: a shell, their processes, logs around a command, reverse port-forwards, who reaches whom.`)
  // Repeatable flags take one value each (`-l a -l b`), as kubectl's do; stray words stay stray.
  .parserConfiguration({ "populate--": true, "greedy-arrays": false })
  .command(commands)
  .command(completionCommand)
  .demandCommand(1, "choose a command")
  .strict()
  .version(false)
  .help()
  .alias("help", "h")
  .wrap(Math.min(renderedHelpWidth, process.stdout.columns || renderedHelpWidth))
  .fail((message, error) => {
    // An error thrown by a handler also reaches parseAsync's rejection, handled below. yargs' own
    // parse errors (a flag missing its value: YError) are the user's, and nothing else says so.
    if (error && !(error instanceof UsageError) && error.name !== "YError") return;
    showUsageError(inKubectlWords(message ?? error?.message ?? "invalid usage", args, commandNames));
  });

// yargs renders a command's whole help right after starting its handler, only to cache it for a
// later showHelp: tens of milliseconds on the way to the command's first request. kdiag never
// calls showHelp from a handler, and yargs renders the help on demand when the cache is empty.
(cli as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
  .getInternalMethods()
  .getUsageInstance().cacheHelpMessage = () => {};

/** As kubectl does: the reason, then where the usage is; not the whole help before the reason. */
function showUsageError(message: string): never {
  reportError(new UsageError(message.replace(/\s*\n\s*/g, " ")));
  process.stderr.write(`${formatUsageHint(invocation, findCommandName(hideBin(process.argv), commandNames))}\n`);
  process.exit(usageExitCode);
}

// No top-level await: the single-executable build bundles this file as CommonJS.
async function main(): Promise<never> {
  markStep("command tree loaded");
  try {
    // Before yargs: the words being completed are not a command line to validate.
    if (args[0] === completeCommandName) process.exit(await runCompleteCommand(commands, args.slice(1)));
    await cli.parseAsync();
  } catch (error) {
    if (error instanceof UsageError) showUsageError(error.message);
    reportError(error);
    process.exitCode = typeof error === "object" && error !== null && "exitCode" in error && typeof error.exitCode === "number" ? error.exitCode : 1;
  }
  // Streams a command left open (stdin, gRPC channels, sockets) must not keep us alive.
  process.exit(process.exitCode ?? 0);
}

void main();
