// Everything between "the user named a pod" and "we can talk to kdiag's manager in it": load the
// kubeconfig, pick the pod and target, ensure the ephemeral container, read its port, and give
// grpc-js a local address that port-forwards each connection to it.

import type { Duplex } from "node:stream";
import { credentials } from "@grpc/grpc-js";
import type { V1Pod } from "@kubernetes/client-node";
import { ManagerClient } from "../api/gen/kdiag.ts";
import type { PodCommandConfig } from "./commands/pod-config.ts";
import { loadKubeSession, type KubeSession } from "./kube/config.ts";
import { ensureManagerContainer } from "./kube/inject.ts";
import { listenAndForward, type LocalForward } from "./kube/local-forward.ts";
import { discoverManagerPort } from "./kube/manager-port.ts";
import { createPodApi, type PodApi } from "./kube/pod-api.ts";
import { resolveTarget } from "./kube/pod-selection.ts";
import { forwardPort } from "./kube/port-forward.ts";
import { selectPod } from "./kube/select-pod.ts";
import type { Progress } from "./output/progress.ts";
import { getKdiagVersion } from "./version.ts";

export interface Kube {
  session: KubeSession;
  api: PodApi;
}

export function openKube(config: Pick<PodCommandConfig, "kube">): Kube {
  const session = loadKubeSession(config.kube);
  return { session, api: createPodApi(session) };
}

export interface ReadyManager {
  pod: V1Pod;
  podName: string;
  target: string;
  container: string;
  /** true when this command added the container (a first injection). */
  added: boolean;
}

/** Selects the pod and makes sure kdiag's container runs next to the target. */
export async function prepareManager(config: PodCommandConfig, kube: Kube, progress: Progress): Promise<ReadyManager> {
  progress.update(`looking for ${config.selection.kind === "name" ? `pod ${config.selection.name}` : `a pod matching ${config.selection.selector}`}`);
  const pod = await selectPod(kube.api, config.selection);
  const target = resolveTarget(pod, config.target);
  const injected = await ensureManagerContainer({
    api: kube.api,
    pod,
    spec: { version: getKdiagVersion(), target, image: config.image, pullPolicy: config.pullPolicy },
    timeoutMs: config.timeoutMs,
    progress,
  });
  return { ...injected, target };
}

export interface ManagerEndpoint extends ReadyManager {
  /** The manager's port inside the pod (on its loopback). */
  port: number;
  /** A fresh port-forwarded connection to any port of the pod (the manager's, redir's tunnels). */
  forward(port: number): Promise<Duplex>;
}

/** prepareManager, then the manager's port from its log. */
export async function locateManager(config: PodCommandConfig, kube: Kube, progress: Progress): Promise<ManagerEndpoint> {
  const ready = await prepareManager(config, kube, progress);
  progress.update(`reading the manager's port from ${ready.container}`);
  const port = await discoverManagerPort({
    api: kube.api,
    podName: ready.podName,
    container: ready.container,
    timeoutMs: config.timeoutMs,
  });
  const forward = (podPort: number) =>
    forwardPort({ kc: kube.session.kc, namespace: kube.session.namespace, pod: ready.podName, port: podPort });
  return { ...ready, port, forward };
}

export interface ManagerConnection extends ManagerEndpoint {
  client: ManagerClient;
  /** The last port-forward failure, to explain a gRPC "unavailable". */
  lastForwardError(): unknown;
  close(): Promise<void>;
}

/** locateManager, then a gRPC client whose every connection is a port-forward to the manager. */
export async function connectManager(config: PodCommandConfig, kube: Kube, progress: Progress): Promise<ManagerConnection> {
  const endpoint = await locateManager(config, kube, progress);
  let lastError: unknown;
  const local: LocalForward = await listenAndForward({
    connect: () => endpoint.forward(endpoint.port),
    onConnectionError: (error) => {
      lastError = error;
    },
  });
  // grpc-js would honour http_proxy/https_proxy for this loopback address; it must not.
  const client = new ManagerClient(`${local.host}:${local.port}`, credentials.createInsecure(), {
    "grpc.enable_http_proxy": 0,
  });
  progress.clear();
  return {
    ...endpoint,
    client,
    lastForwardError: () => lastError,
    close: async () => {
      client.close();
      await local.close();
    },
  };
}
