// The life of `rules --node`'s debug pod (node-debug-pod.ts): the node is checked first (a node
// that does not exist creates nothing), the pod is created in the command's namespace and waited
// for, and it is deleted when the command ends — on success, on an error, and on Ctrl-C or
// SIGTERM, after which the process exits 130. A deletion never races the creation it follows.
import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { describeError, KdiagError } from "../errors.ts";
import type { InterruptListener } from "../interrupts.ts";
import type { Progress } from "../output/progress.ts";
import type { KubeSession } from "./config.ts";
import { describeFailure, readContainerState } from "./container-state.ts";
import type { PullPolicy } from "./ephemeral.ts";
import { buildNodeDebugPod, createNodeDebugPodName, nodeDebugContainer } from "./node-debug-pod.ts";
import { getApiStatus } from "./api-errors.ts";
import { callApi, requestOptions } from "./pod-api.ts";

export interface NodeDebugPod {
  name: string;
  /** Deletes the pod (once, however often called) and stops listening for Ctrl-C. */
  remove(): Promise<void>;
}

export interface NodeDebugOptions {
  session: KubeSession;
  node: string;
  image: string;
  pullPolicy: PullPolicy;
  timeoutMs: number;
  progress: Progress;
  onInterrupt: InterruptListener;
  /** Ends the process after an interrupt's clean-up (process.exit in the CLI). */
  exit: (code: number) => void;
}

export async function startNodeDebugPod(options: NodeDebugOptions): Promise<NodeDebugPod> {
  const { session, node, progress } = options;
  const core = session.kc.makeApiClient(CoreV1Api);
  const namespace = session.namespace;
  const request = requestOptions(session.requestTimeoutMs);
  await requireNode(session, core, node);
  const name = createNodeDebugPodName();
  let creation: Promise<V1Pod> | undefined;
  let removal: Promise<void> | undefined;
  const remove = () => {
    removal ??= (async () => {
      stopListening();
      // Ctrl-C during the create request: the pod may exist once it returns, so wait for it.
      const created = await creation?.then(
        (pod) => ({ uid: pod.metadata?.uid }),
        // Refused (a 4xx: forbidden, invalid, the name taken): there is no pod of ours to delete.
        // No answer: there may be one, known by its name only.
        (error: unknown) => (isRefusal(error) ? undefined : { uid: undefined }),
      );
      if (!created) return;
      const preconditions = created.uid === undefined ? undefined : { uid: created.uid };
      await callApi(session, { verb: "delete", resource: "pods", namespace, name }, () =>
        core.deleteNamespacedPod({ name, namespace, gracePeriodSeconds: 0, body: { preconditions } }, request),
      ).catch((error: unknown) => {
        // 404: already gone; 409: the name is now another pod's, which is not ours to delete.
        const status = getApiStatus(error);
        if (status !== 404 && status !== 409) progress.warn(`pod ${name} in namespace ${namespace} was not deleted (${describeError(error)}); delete it with kubectl`);
      });
    })();
    return removal;
  };
  const stopListening = options.onInterrupt(() => {
    progress.clear();
    void remove().finally(() => {
      if (creation) progress.note(`interrupted; pod ${name} deleted`);
      options.exit(130);
    });
  });
  try {
    progress.update(`creating pod ${name} on node ${node} (host network)`);
    creation = callApi(session, { verb: "create", resource: "pods", namespace, name }, () =>
      core.createNamespacedPod({ namespace, body: buildNodeDebugPod({ name, node, image: options.image, pullPolicy: options.pullPolicy }) }, request),
    );
    await creation;
    await waitForRunning({ ...options, core, name, namespace });
  } catch (error) {
    await remove();
    throw error;
  }
  return { name, remove };
}

function isRefusal(error: unknown): boolean {
  const status = getApiStatus(error);
  // 408: the API server gave up waiting, which says nothing about whether the pod was made.
  return status !== undefined && status >= 400 && status < 500 && status !== 408;
}

async function requireNode(session: KubeSession, core: CoreV1Api, node: string): Promise<void> {
  const request = requestOptions(session.requestTimeoutMs);
  try {
    await core.readNode({ name: node }, request);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 404) {
      return callApi(session, { verb: "get", resource: "nodes", namespace: session.namespace }, () => Promise.reject(error));
    }
    const names = await core.listNode({}, request).then((list) => list.items.map((item) => item.metadata?.name ?? ""), () => []);
    throw new KdiagError(`node \`${node}\` does not exist${names.length > 0 ? `; the cluster's nodes: ${names.join(", ")}` : ""}`, { cause: error });
  }
}

async function waitForRunning(options: NodeDebugOptions & { core: CoreV1Api; name: string; namespace: string }): Promise<V1Pod> {
  const { core, name, namespace, session } = options;
  const deadline = Date.now() + options.timeoutMs;
  let reason = "Pending";
  for (;;) {
    const pod = await callApi(session, { verb: "get", resource: "pods", namespace, name }, () => core.readNamespacedPod({ name, namespace }, requestOptions(session.requestTimeoutMs)));
    const state = readContainerState(pod.status?.containerStatuses?.find((status) => status.name === nodeDebugContainer));
    if (state.kind === "running") return pod;
    if (state.kind === "failed") throw new KdiagError(describeFailure(state, { container: nodeDebugContainer, image: options.image }));
    if (pod.status?.phase === "Failed" || pod.status?.phase === "Succeeded") {
      throw new KdiagError(`pod ${name} on node ${options.node} ended (${pod.status.phase}${pod.status.reason ? `, ${pod.status.reason}` : ""}) before kdiag could use it`);
    }
    reason = state.reason;
    options.progress.update(`starting pod ${name} on node ${options.node} (${reason})`);
    if (Date.now() >= deadline) {
      throw new KdiagError(`pod ${name} did not start on node ${options.node} within --timeout (${options.timeoutMs / 1000}s), still ${reason}; is the node Ready?`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
