// The values of --pod, -l, -t, -n and --context, read with the kubeconfig, context, namespace and
// user the line already names, as the command itself would use them.

import { CoreV1Api, type V1Pod } from "@kubernetes/client-node";
import { loadKubeSession } from "../kube/config.ts";
import { toKubeOptions } from "../kube/options.ts";
import { requestOptions } from "../kube/pod-api.ts";
import type { ClusterValues } from "./complete.ts";
import type { CompletionRequest } from "./words.ts";

/** A TAB that waits longer than this for the API server is worse than no candidates. */
const completionTimeout = "5s";

export const readClusterValues: ClusterValues = async (flag, request) => {
  const session = loadKubeSession(
    toKubeOptions({
      kubeconfig: request.given.kubeconfig,
      // The context being typed is not the one to read the kubeconfig with.
      context: flag === "context" ? undefined : request.given.context,
      namespace: request.given.namespace,
      as: request.given.as,
      requestTimeout: request.given["request-timeout"] ?? completionTimeout,
    }),
  );
  if (flag === "context") return session.kc.getContexts().map((context) => context.name);
  const core = session.kc.makeApiClient(CoreV1Api);
  const options = requestOptions(session.requestTimeoutMs);
  const { namespace } = session;
  const listPods = async (labelSelector?: string) => (await core.listNamespacedPod({ namespace, labelSelector }, options)).items;
  switch (flag) {
    case "namespace": {
      // Completion swallows failures: no translation needed.
      const list = await core.listNamespace({}, options);
      return list.items.map((item) => item.metadata?.name ?? "").filter(Boolean);
    }
    case "pod":
      return names(await listPods());
    case "selector":
      return labelPairs(await listPods());
    case "target":
    case "container":
      return containerNames(await podsNamed(request, listPods, (name) => core.readNamespacedPod({ name, namespace }, options)));
  }
};

/** The pod the line names (logs takes `NAME[:container]`), else those its -l matches, else all. */
async function podsNamed(
  request: CompletionRequest,
  listPods: (selector?: string) => Promise<V1Pod[]>,
  getPod: (name: string) => Promise<V1Pod>,
): Promise<V1Pod[]> {
  const pod = request.given.pod?.split(":")[0];
  if (pod) return [await getPod(pod)];
  const selector = request.given.selector?.split(":")[0];
  return listPods(selector || undefined);
}

function names(pods: V1Pod[]): string[] {
  return pods.map((pod) => pod.metadata?.name ?? "").filter(Boolean);
}

function labelPairs(pods: V1Pod[]): string[] {
  const pairs = pods.flatMap((pod) => Object.entries(pod.metadata?.labels ?? {}).map(([key, value]) => `${key}=${value}`));
  return [...new Set(pairs)].sort();
}

function containerNames(pods: V1Pod[]): string[] {
  return [...new Set(pods.flatMap((pod) => (pod.spec?.containers ?? []).map((container) => container.name)))];
}
