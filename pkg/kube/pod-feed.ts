// Pods listed and then watched — the pods a log source matches, the target `shell --wait` waits
// for: the narrow view of the API both need, backed by client-node's CoreV1Api and Watch. Requests
// carry --request-timeout and fail with translated errors, as every PodApi call does.
import { CoreV1Api, Watch, type V1Pod } from "@kubernetes/client-node";
import { getApiStatus, translateApiError, type ApiAction } from "./api-errors.ts";
import type { KubeSession } from "./config.ts";
import { callApi, requestOptions } from "./pod-api.ts";

export type PodQuery = { labelSelector: string } | { fieldSelector: string };
export type PodEvent = "ADDED" | "MODIFIED" | "DELETED";

export interface PodWatch {
  /**
   * Resolves when the server or the network ends the watch (not when stopped): with undefined
   * when it ended as watches do (a timeout, an expired resourceVersion), else with the failure,
   * translated (a 403 names the missing `watch` permission).
   */
  ended: Promise<Error | undefined>;
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
      let markEnded: (failure: Error | undefined) => void = () => {};
      const ended = new Promise<Error | undefined>((resolve) => (markEnded = resolve));
      let stopped = false;
      let failure: Error | undefined;
      const action: ApiAction = { verb: "watch", resource: "pods", namespace, server: kc.getCurrentCluster()?.server };
      const controller = await watcher.watch(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`,
        { ...query, resourceVersion, allowWatchBookmarks: false },
        (type, object: unknown) => {
          if (isPodEvent(type)) onEvent(type, object as V1Pod);
          else if (type === "ERROR") failure = readWatchError(object, action);
        },
        // client-node ends a refused watch (403, 404) here, with an Error carrying `statusCode`.
        (error: unknown) => {
          if (stopped) return;
          markEnded(failure ?? (error ? translateApiError(withCode(error), action) : undefined));
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

/** A watch's ERROR event carries a Status; 410 Gone (resourceVersion too old) only means "list again". */
function readWatchError(object: unknown, action: ApiAction): Error | undefined {
  const status = (object ?? {}) as { code?: unknown };
  if (status.code === 410) return undefined;
  return translateApiError({ code: status.code, body: object }, action);
}

/** client-node's watch errors say `statusCode` where its API errors say `code`. */
function withCode(error: unknown): unknown {
  if (typeof error !== "object" || error === null || !("statusCode" in error) || "code" in error) return error;
  return Object.assign(error, { code: error.statusCode });
}
