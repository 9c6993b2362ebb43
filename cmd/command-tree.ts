// The yargs command tree: kdiag's commands, the global flags, and kubectl's words for yargs' own
// parse errors. Built by kubectl-kdiag.ts for the command line; the unit tests build it too, to
// hold direct-command.ts to what yargs makes of a command line.
import yargs, { type Argv, type CommandModule } from "yargs";
import { UsageError } from "../pkg/errors.ts";
import type { InvocationName } from "../pkg/invocation.ts";
import { renderedHelpWidth } from "../pkg/rendered-help.ts";
import { inKubectlWords } from "../pkg/usage-words.ts";
import { addGlobalOptions } from "./options.ts";

export function createCommandTree(
  args: string[],
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module has its own argv type
  options: { invocation: InvocationName; commands: readonly CommandModule<object, any>[]; onUsageError: (message: string) => never },
): Argv {
  const commandNames = options.commands.map((command) => String(command.command).split(" ", 1)[0] ?? "");
  const cli: Argv = addGlobalOptions(yargs(args))
    .scriptName(options.invocation === "kdiag" ? "kdiag" : "kubectl kdiag")
    .usage(`$0 <command> [options]\n\nDebug pods whose images have no shell: a shell, their processes, logs around a command, reverse port-forwards, who reaches whom.`)
    // Repeatable flags take one value each (`-l a -l b`), as kubectl's do; stray words stay stray.
    .parserConfiguration({ "populate--": true, "greedy-arrays": false })
    .command([...options.commands])
    .demandCommand(1, "choose a command")
    .strict()
    .version(false)
    .help()
    .alias("help", "h")
    .wrap(Math.min(renderedHelpWidth, process.stdout.columns || renderedHelpWidth))
    .fail((message, error) => {
      // An error thrown by a handler also reaches parseAsync's rejection, handled by the caller.
      // yargs' own parse errors (a flag missing its value: YError) are the user's, and nothing else says so.
      if (error && !(error instanceof UsageError) && error.name !== "YError") return;
      options.onUsageError(inKubectlWords(message ?? error?.message ?? "invalid usage", args, commandNames));
    });

  // yargs renders a command's whole help right after starting its handler, only to cache it for a
  // later showHelp: tens of milliseconds on the way to the command's first request. kdiag never
  // calls showHelp from a handler, and yargs renders the help on demand when the cache is empty.
  (cli as unknown as { getInternalMethods(): { getUsageInstance(): { cacheHelpMessage(): void } } })
    .getInternalMethods()
    .getUsageInstance().cacheHelpMessage = () => {};
  return cli;
}
