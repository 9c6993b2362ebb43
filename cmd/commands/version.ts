// `kubectl kdiag version`.
import type { Argv, CommandModule } from "yargs";
import { formatVersion, toVersionConfig, versionOutputs } from "../../pkg/commands/version.ts";

export const versionCommand: CommandModule<object, { output?: string }> = {
  command: "version",
  describe: "Print kdiag's version and the manager image it uses by default",
  builder: (yargs: Argv<object>) =>
    yargs.option("output", { alias: "o", type: "string", requiresArg: true, choices: versionOutputs, describe: "Output format", defaultDescription: "text" }),
  handler: (argv) => {
    process.stdout.write(formatVersion(toVersionConfig(argv)));
  },
};
