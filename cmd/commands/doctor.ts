// `kubectl kdiag doctor`: flags only; the work is in pkg/commands/doctor.
import type { Argv, CommandModule } from "yargs";
import { toDoctorConfig, doctorOutputs, type DoctorArgs } from "../../pkg/commands/doctor/config.ts";
import { describeChoices, managerOptions, offerChoices, podOptions } from "../options.ts";

export const doctorCommand: CommandModule<object, DoctorArgs> = {
  command: "doctor [options]",
  describe: "Say whether each command will work here and, if not, why and what to ask for",
  builder: (yargs: Argv<object>) =>
    yargs
      .options(podOptions)
      .option("image", managerOptions.image)
      .option("output", offerChoices(doctorOutputs, { alias: "o", type: "string", requiresArg: true, describe: `Output format: ${describeChoices(doctorOutputs)}`, defaultDescription: "table" }))
      .example("$0 doctor -n shop", "the namespace and your permissions there")
      .example("$0 doctor -n shop -l app=web", "also the newest Running app=web pod: its target, and a dry run of adding kdiag's container")
      .example("$0 doctor --pod db-0 -o json", "the same findings for tools; exit 0 only when every command can work") as Argv<DoctorArgs>,
  handler: async (argv) => {
    const config = toDoctorConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runDoctorCommand } = await import("../../pkg/commands/doctor/main.ts");
    process.exitCode = await runDoctorCommand(config);
  },
};
