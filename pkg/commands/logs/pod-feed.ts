// The pods a log source matches, listed and then watched: the narrow view of the API that `logs`
// needs, backed by client-node's CoreV1Api and Watch.
import { CoreV1Api, Watch, type KubeConfig, type V1Pod } from "@kubernetes/client-node";

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

export function createPodFeed(kc: KubeConfig, namespace: string): PodFeed {
  const api = kc.makeApiClient(CoreV1Api);
  const watcher = new Watch(kc);
  return {
    async list(query) {
      const list = await api.listNamespacedPod({ namespace, ...query });
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
    async read(name) {
      try {
        return await api.readNamespacedPod({ namespace, name });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
  };
}

function isNotFound(error: unknown): boolean {
  return typeof error === "object" && error !== null && "code" in error && error.code === 404;
}
