// kdiag's CLI: the yargs command tree and what happens to errors, run by cmd/cli.ts for every
// command that neither cmd/start.ts nor direct-command.ts answers. No logic here: each command's
// builder lives in cmd/commands, its work in pkg (loaded only when it runs).
import { hideBin } from "yargs/helpers";
import { findCommandName, formatUsageHint, type InvocationName } from "../pkg/invocation.ts";
import { markStep } from "../pkg/output/step-timings.ts";
import { commands } from "./command-list.ts";
import { createCommandTree } from "./command-tree.ts";
import { completionCommand } from "./commands/completion.ts";
import { completeCommandName, runCompleteCommand } from "./completion/complete-command.ts";
import { exitWithUsageError, runToExit } from "./finish.ts";

/** Parses process.argv as kdiag's command line (or a completion request) and runs it; never returns. */
export async function runCommandTree(invocation: InvocationName): Promise<never> {
  // kubectl runs `kubectl_complete-kdiag WORDS…` to complete `kubectl kdiag WORDS…`.
  const args = invocation === "completion" ? [completeCommandName, ...hideBin(process.argv)] : hideBin(process.argv);
  const commandNames = [...commands.map((command) => String(command.command).split(" ", 1)[0] ?? ""), "completion"];
  const usageHint = () => formatUsageHint(invocation, findCommandName(hideBin(process.argv), commandNames));
  const cli = createCommandTree(args, {
    invocation,
    commands: [...commands, completionCommand],
    onUsageError: (message) => exitWithUsageError(message, usageHint()),
  });
  markStep("command tree loaded");
  return runToExit(async () => {
    // Before yargs: the words being completed are not a command line to validate.
    if (args[0] === completeCommandName) process.exit(await runCompleteCommand(commands, args.slice(1)));
    await cli.parseAsync();
  }, usageHint);
}
