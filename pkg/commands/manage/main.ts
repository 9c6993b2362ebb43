// Wires `kdiag manage` to the real world: the pod's manager, what to type on stdout, until Ctrl-C or SIGTERM.
import { createProgress } from "../../output/progress.ts";
import type { ManageConfig } from "./config.ts";
import { runManage } from "./run.ts";

export async function runManageCommand(config: ManageConfig): Promise<number> {
  return runManage(config, {
    stdout: process.stdout,
    progress: createProgress({ quiet: config.quiet }),
    untilInterrupted: () => new Promise((resolve) => ["SIGINT", "SIGTERM"].forEach((signal) => process.once(signal, resolve))),
  });
}
