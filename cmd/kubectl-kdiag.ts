// kdiag's CLI: the yargs command tree and what happens to errors, loaded by cmd/start.ts for
// every command it does not answer itself (nor direct-command.ts). No logic here: each command's
// builder lives in cmd/commands, its work in pkg (loaded only when it runs).
import { hideBin } from "yargs/helpers";
import { findCommandName, formatUsageHint, getInvocationName } from "../pkg/invocation.ts";
import { markStep } from "../pkg/output/step-timings.ts";
import { commands } from "./command-list.ts";
import { createCommandTree } from "./command-tree.ts";
import { completionCommand } from "./commands/completion.ts";
import { completeCommandName, runCompleteCommand } from "./completion/complete-command.ts";
import { exitWithUsageError, runToExit } from "./finish.ts";

const invocation = getInvocationName(process.argv[1]);
// kubectl runs `kubectl_complete-kdiag WORDS…` to complete `kubectl kdiag WORDS…`.
const args = invocation === "completion" ? [completeCommandName, ...hideBin(process.argv)] : hideBin(process.argv);
const commandNames = [...commands.map((command) => String(command.command).split(" ", 1)[0] ?? ""), "completion"];
const usageHint = () => formatUsageHint(invocation, findCommandName(hideBin(process.argv), commandNames));

const cli = createCommandTree(args, {
  invocation,
  commands: [...commands, completionCommand],
  onUsageError: (message) => exitWithUsageError(message, usageHint()),
});

// No top-level await: the single-executable build bundles this file as CommonJS.
async function main(): Promise<never> {
  markStep("command tree loaded");
  return runToExit(async () => {
    // Before yargs: the words being completed are not a command line to validate.
    if (args[0] === completeCommandName) process.exit(await runCompleteCommand(commands, args.slice(1)));
    await cli.parseAsync();
  }, usageHint);
}

void main();
