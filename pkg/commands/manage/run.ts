// Ensures the manager and reports where it is; with --port-forward, forwards a local port to it
// until Ctrl-C or SIGTERM. The local port speaks plaintext gRPC (TLS to the manager is done
// here), so `grpcurl -plaintext` works with the one header it needs, which we print.

import { listenAndForward } from "../../kube/local-forward.ts";
import { openKube, secureManager } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import type { ManageConfig } from "./config.ts";

export interface ManageDeps {
  stdout: { write(chunk: string): unknown };
  progress: Progress;
  /** Resolves when the user asks to stop (Ctrl-C, SIGTERM). */
  untilInterrupted: () => Promise<unknown>;
}

export async function runManage(config: ManageConfig, deps: ManageDeps): Promise<number> {
  const endpoint = await secureManager(config, openKube(config), deps.progress);
  deps.progress.clear();
  deps.stdout.write(
    `manager: container ${endpoint.container} in pod ${endpoint.podName} (target ${endpoint.target}), port ${endpoint.port}\n`,
  );
  if (config.portForward === undefined) return 0;
  const local = await listenAndForward({
    port: config.portForward,
    connect: endpoint.connect,
    onConnectionError: (error) => deps.progress.warn(error instanceof Error ? error.message : String(error)),
  });
  deps.stdout.write(`forwarding ${local.host}:${local.port} -> pod ${endpoint.podName} port ${endpoint.port}; Ctrl-C to stop\n`);
  // The token is the user's own (they could read it with exec); it goes to their terminal only.
  deps.stdout.write(
    `grpcurl -plaintext -H 'authorization: Bearer ${endpoint.credential.token}' ${local.host}:${local.port} list\n`,
  );
  try {
    await deps.untilInterrupted();
  } finally {
    await local.close();
  }
  return 0;
}
