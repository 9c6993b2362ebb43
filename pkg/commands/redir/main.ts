// Wires `kdiag redir` to the real world: the manager over a port-forward (its tunnels ride on the
// same channel), local targets on 127.0.0.1, output on stdout and warnings on stderr.
import { onInterrupt } from "../../interrupts.ts";
import { requireCapabilities } from "../../manager-capabilities.ts";
import { connectManager } from "../../manager-client.ts";
import { openKube } from "../../manager-connection.ts";
import { createProgress } from "../../output/progress.ts";
import type { RedirConfig } from "./config.ts";
import { adaptManager, dialLocal } from "./endpoints.ts";
import { refuseNodeNetwork } from "./node-network.ts";
import { runRedir } from "./run.ts";

export async function runRedirCommand(config: RedirConfig): Promise<number> {
  const progress = createProgress({ quiet: config.pod.quiet });
  const kube = openKube(config.pod);
  const connection = await connectManager(config.pod, kube, progress, { checkPod: (pod) => refuseNodeNetwork(pod, config) });
  try {
    await requireCapabilities(connection, "redirects");
    return await runRedir(config, {
      podName: connection.podName,
      manager: adaptManager(connection.client, connection),
      dialLocal,
      print: (line) => process.stdout.write(`${line}\n`),
      warn: (message) => progress.warn(message),
      onInterrupt,
      lastForwardError: () => connection.lastForwardError(),
    });
  } finally {
    await connection.close();
  }
}
