// `kubectl kdiag manage` (hidden; for development): flags only; the work is in pkg/commands/manage.
import type { Argv, CommandModule } from "yargs";
import type { ManageArgs } from "../../pkg/commands/manage/config.ts";
import { createProgress } from "../../pkg/output/progress.ts";
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
    const { toManageConfig } = await import("../../pkg/commands/manage/config.ts");
    const { runManage } = await import("../../pkg/commands/manage/run.ts");
    const config = toManageConfig(argv);
    process.exitCode = await runManage(config, {
      stdout: process.stdout,
      progress: createProgress({ quiet: config.quiet }),
      untilInterrupted: () => new Promise((resolve) => ["SIGINT", "SIGTERM"].forEach((signal) => process.once(signal, resolve))),
    });
  },
};
