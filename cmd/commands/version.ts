// `kubectl kdiag version`.
import type { Argv, CommandModule } from "yargs";
import { toVersionConfig, versionOutputs } from "../../pkg/commands/version/config.ts";

export const versionCommand: CommandModule<object, { output?: string }> = {
  command: "version",
  describe: "Print kdiag's version and the manager image it uses by default",
  builder: (yargs: Argv<object>) =>
    yargs.option("output", { alias: "o", type: "string", requiresArg: true, choices: versionOutputs, describe: "Output format", defaultDescription: "text" }),
  handler: async (argv) => {
    const config = toVersionConfig(argv);
    // Loaded here so that the command tree does not load js-yaml (-o yaml) for every command.
    const { formatVersion } = await import("../../pkg/commands/version/main.ts");
    process.stdout.write(formatVersion(config));
  },
};
