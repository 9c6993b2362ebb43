// `kubectl kdiag ps`: flags only; the work is in pkg/commands/ps.
import type { Argv, CommandModule } from "yargs";
import { toPsConfig, psOutputs, type PsArgs } from "../../pkg/commands/ps/config.ts";
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
    const config = toPsConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runPsCommand } = await import("../../pkg/commands/ps/main.ts");
    process.exitCode = await runPsCommand(config);
  },
};
