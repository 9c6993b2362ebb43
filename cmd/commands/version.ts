// `kubectl kdiag version`.
import type { CommandModule } from "yargs";
import { formatVersion } from "../../pkg/commands/version.ts";

export const versionCommand: CommandModule = {
  command: "version",
  describe: "Print kdiag's version and the manager image it uses by default",
  handler: () => {
    process.stdout.write(formatVersion());
  },
};
