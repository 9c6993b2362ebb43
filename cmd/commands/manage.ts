// `kubectl kdiag manage` (hidden; for development): flags only; the work is in pkg/commands/manage.
import type { Argv, CommandModule } from "yargs";
import { toManageConfig, type ManageArgs } from "../../pkg/commands/manage/config.ts";
import { addPodOptions } from "../options.ts";

export const manageCommand: CommandModule<object, ManageArgs> = {
  command: "manage [options]",
  describe: false,
  builder: (yargs: Argv<object>) =>
    addPodOptions(yargs)
      .usage("$0 manage [options]\n\nEnsure kdiag's manager runs in the pod and print where; with --port-forward, keep a local port forwarded to it")
      .option("port-forward", { type: "string", requiresArg: true, describe: "Forward this local port to the manager until Ctrl-C (0: any free port)" })
      .example("$0 manage -l app=web --port-forward 7000", "then: grpcurl -plaintext localhost:7000 list") as Argv<ManageArgs>,
  handler: async (argv) => {
    const config = toManageConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runManageCommand } = await import("../../pkg/commands/manage/main.ts");
    process.exitCode = await runManageCommand(config);
  },
};
