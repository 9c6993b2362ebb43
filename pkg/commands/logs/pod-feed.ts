// The pods a log source matches, listed and then watched: the narrow view of the API that `logs`
// needs, backed by client-node's CoreV1Api and Watch. Requests carry --request-timeout and fail
// with translated errors, as every PodApi call does.
import { CoreV1Api, Watch, type V1Pod } from "@kubernetes/client-node";
import { getApiStatus } from "../../kube/api-errors.ts";
import type { KubeSession } from "../../kube/config.ts";
import { callApi, requestOptions } from "../../kube/pod-api.ts";

export type PodQuery = { labelSelector: string } | { fieldSelector: string };
export type PodEvent = "ADDED" | "MODIFIED" | "DELETED";

export interface PodWatch {
  /** Resolves when the server or the network ends the watch (not when stopped). */
  ended: Promise<void>;
  stop(): void;
}

export interface PodFeed {
  list(query: PodQuery): Promise<{ pods: V1Pod[]; resourceVersion: string }>;
  watch(query: PodQuery, resourceVersion: string, onEvent: (event: PodEvent, pod: V1Pod) => void): Promise<PodWatch>;
  /** The pod now, or undefined when it no longer exists. */
  read(name: string): Promise<V1Pod | undefined>;
}

const EVENTS: readonly string[] = ["ADDED", "MODIFIED", "DELETED"] satisfies PodEvent[];

function isPodEvent(type: string): type is PodEvent {
  return EVENTS.includes(type);
}

export function createPodFeed(session: KubeSession): PodFeed {
  const { kc, namespace } = session;
  const api = kc.makeApiClient(CoreV1Api);
  const options = requestOptions(session.requestTimeoutMs);
  const watcher = new Watch(kc);
  return {
    async list(query) {
      const list = await callApi(session, { verb: "list", resource: "pods", namespace }, () =>
        api.listNamespacedPod({ namespace, ...query }, options),
      );
      return { pods: list.items, resourceVersion: list.metadata?.resourceVersion ?? "" };
    },
    async watch(query, resourceVersion, onEvent) {
      let markEnded = () => {};
      const ended = new Promise<void>((resolve) => (markEnded = resolve));
      let stopped = false;
      const controller = await watcher.watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { ...query, resourceVersion, allowWatchBookmarks: false },
        (type, pod: V1Pod) => {
          if (isPodEvent(type)) onEvent(type, pod);
        },
        () => {
          if (!stopped) markEnded();
        },
      );
      return {
        ended,
        stop() {
          stopped = true;
          controller.abort();
        },
      };
    },
    read: (name) =>
      callApi(session, { verb: "get", resource: "pods", namespace, name }, () =>
        api.readNamespacedPod({ namespace, name }, options).catch((error: unknown) => {
          if (getApiStatus(error) === 404) return undefined;
          throw error;
        }),
      ),
  };
}
