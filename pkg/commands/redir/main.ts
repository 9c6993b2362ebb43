// Wires `kdiag redir` to the real world: the manager over a port-forward (its tunnels ride on the
// same channel), local targets on 127.0.0.1, output on stdout and warnings on stderr.
import { onInterrupt } from "../../interrupts.ts";
import { openKube, secureManager } from "../../manager-connection.ts";
import { createProgress } from "../../output/progress.ts";
import { markStep } from "../../output/step-timings.ts";
import type { RedirConfig } from "./config.ts";
import { refuseNodeNetwork } from "./node-network.ts";

export async function runRedirCommand(config: RedirConfig): Promise<number> {
  markStep("redir loaded");
  // What speaks gRPC (grpc-js: a third of what the command loads) loads while the manager's
  // port-forward is being opened, time the CLI spends waiting for the kubelet anyway: in the
  // next turn of the event loop, once the request is on its way.
  let grpcParts: ReturnType<typeof loadGrpcParts> | undefined;
  const loadOnce = () => {
    if (grpcParts) return grpcParts;
    grpcParts = loadGrpcParts();
    grpcParts.catch(() => {}); // Awaited below; a command that fails before then says its own failure.
    return grpcParts;
  };
  const progress = createProgress({ quiet: config.pod.quiet });
  const kube = openKube(config.pod);
  const endpoint = await secureManager(
    config.pod,
    kube,
    progress,
    { checkPod: (pod) => refuseNodeNetwork(pod, config) },
    { whileConnecting: () => setImmediate(loadOnce) },
  );
  const [{ attachManagerClient }, { requireCapabilities }, { adaptManager, dialLocal }, { runRedir }] = await loadOnce();
  markStep("gRPC loaded");
  const connection = await attachManagerClient(endpoint, progress);
  try {
    await requireCapabilities(connection, "redirects");
    markStep("capabilities checked");
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

function loadGrpcParts() {
  return Promise.all([import("../../manager-client.ts"), import("../../manager-capabilities.ts"), import("./endpoints.ts"), import("./run.ts")]);
}
