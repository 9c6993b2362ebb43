// `kubectl kdiag ps`: flags only; the work is in pkg/commands/ps.
import type { Argv, CommandModule } from "yargs";
import { psOutputs, type PsArgs } from "../../pkg/commands/ps/config.ts";
import { createProgress } from "../../pkg/output/progress.ts";
import { addPodOptions, describeChoices, offerChoices } from "../options.ts";

export const psCommand: CommandModule<object, PsArgs> = {
  command: "ps [options]",
  describe: "List a pod's processes and the addresses they listen on",
  builder: (yargs: Argv<object>) =>
    addPodOptions(yargs)
      .option("output", offerChoices(psOutputs, { alias: "o", type: "string", requiresArg: true, describe: `Output format: ${describeChoices(psOutputs)}`, defaultDescription: "table" }))
      .example("$0 ps -l app=web", "processes of the newest Running app=web pod, as a table")
      .example("$0 ps --pod db-0 -o json", "the same as JSON (or -o yaml); the README gives the fields") as Argv<PsArgs>,
  handler: async (argv) => {
    const { toPsConfig } = await import("../../pkg/commands/ps/config.ts");
    const { runPs } = await import("../../pkg/commands/ps/run.ts");
    const config = toPsConfig(argv);
    process.exitCode = await runPs(config, { stdout: process.stdout, progress: createProgress({ quiet: config.quiet }) });
  },
};
