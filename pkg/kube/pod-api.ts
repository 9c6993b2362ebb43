// The narrow slice of the Kubernetes API the commands need, bound to one namespace. Commands and
// tests get a PodApi, not the whole client. Every call carries --request-timeout, and every
// API failure is translated into a sentence at this boundary (see api-errors.ts).

import {
  Observable,
  type ConfigurationOptions,
  type CoreV1Event,
  type CoreV1EventList,
  type ObservableMiddleware,
  type V1EphemeralContainer,
  type V1Pod,
  type V1PodList,
} from "@kubernetes/client-node";
import { getApiJson, getApiText, patchApiJson, watchApiJson } from "./api-request.ts";
import type { KubeSession } from "./config.ts";
import { translateApiError, type ApiAction } from "./api-errors.ts";
import { buildEphemeralPatch } from "./ephemeral.ts";

export interface PodApi {
  readonly namespace: string;
  getPod(name: string): Promise<V1Pod>;
  listPods(labelSelector: string): Promise<V1Pod[]>;
  /**
   * Adds (or leaves identical) an ephemeral container; returns the updated pod. With dryRun the
   * API server runs authorization and admission (PodSecurity, webhooks) and persists nothing.
   */
  addEphemeralContainer(podName: string, container: V1EphemeralContainer, options?: { dryRun?: boolean }): Promise<V1Pod>;
  readLog(podName: string, container: string, limitBytes: number): Promise<string>;
  /**
   * The pod as each change after `resourceVersion` comes, until the server ends the watch
   * (resolves) or `signal` aborts it (rejects); a failure is translated as every call's is.
   */
  watchPod(podName: string, resourceVersion: string, onChange: (pod: V1Pod) => void, signal: AbortSignal): Promise<void>;
  listPodEvents(podName: string): Promise<CoreV1Event[]>;
  /** true/false when known; undefined when the user may not read namespaces. */
  namespaceExists(): Promise<boolean | undefined>;
}

export function createPodApi(session: KubeSession): PodApi {
  // Plain requests (api-request.ts): a command's way to a shell or a redirect does not load the
  // generated client.
  const namespace = session.namespace;
  const pods = `/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`;
  const call = <T>(action: ApiAction, request: () => Promise<T>): Promise<T> => callApi(session, action, request);
  return {
    namespace,
    getPod: (name) =>
      call({ verb: "get", resource: "pods", namespace, name }, () => getApiJson<V1Pod>(session, `${pods}/${encodeURIComponent(name)}`)),
    listPods: async (labelSelector) => {
      const list = await call({ verb: "list", resource: "pods", namespace }, () =>
        getApiJson<V1PodList>(session, pods, { labelSelector }),
      );
      return list.items;
    },
    addEphemeralContainer: (podName, container, { dryRun = false } = {}) =>
      call({ verb: "patch", resource: "pods/ephemeralcontainers", namespace, name: podName }, () =>
        patchApiJson<V1Pod>(session, `${pods}/${encodeURIComponent(podName)}/ephemeralcontainers`, buildEphemeralPatch(container), {
          dryRun: dryRun ? "All" : undefined,
        }),
      ),
    readLog: (podName, container, limitBytes) =>
      call({ verb: "get", resource: "pods/log", namespace, name: podName }, () =>
        getApiText(session, `${pods}/${encodeURIComponent(podName)}/log`, { container, limitBytes }),
      ),
    watchPod: (podName, resourceVersion, onChange, signal) =>
      call({ verb: "watch", resource: "pods", namespace, name: podName }, () =>
        watchApiJson(
          session,
          pods,
          { fieldSelector: `metadata.name=${podName}`, resourceVersion },
          (type, object) => {
            if (type === "ADDED" || type === "MODIFIED") onChange(object as V1Pod);
          },
          signal,
        ),
      ),
    listPodEvents: async (podName) => {
      const list = await call({ verb: "list", resource: "events", namespace }, () =>
        getApiJson<CoreV1EventList>(session, `/api/v1/namespaces/${encodeURIComponent(namespace)}/events`, {
          fieldSelector: `involvedObject.name=${podName}`,
        }),
      );
      return list.items;
    },
    namespaceExists: async () => {
      try {
        await getApiJson(session, `/api/v1/namespaces/${encodeURIComponent(namespace)}`);
        return true;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        return code === 404 ? false : undefined;
      }
    },
  };
}

/** Runs one API request of the session, its failure translated into a sentence (api-errors.ts). */
export async function callApi<T>(session: KubeSession, action: ApiAction, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const server = session.kc.getCurrentCluster()?.server;
    throw translateApiError(error, { ...action, server, requestTimeoutMs: session.requestTimeoutMs });
  }
}

/** Per-request options carrying --request-timeout. */
export function requestOptions(timeoutMs: number): ConfigurationOptions {
  if (timeoutMs <= 0) return { middleware: [], middlewareMergeStrategy: "append" };
  // A fresh signal per request: --request-timeout bounds each request, not the whole command.
  return withMiddleware({}, (request) => request.setSignal(AbortSignal.timeout(timeoutMs)));
}

type RequestEdit = (request: Parameters<ObservableMiddleware["pre"]>[0]) => void;

function withMiddleware(base: ConfigurationOptions, edit: RequestEdit): ConfigurationOptions {
  const middleware: ObservableMiddleware = {
    pre: (request) => {
      edit(request);
      return new Observable(Promise.resolve(request));
    },
    post: (response) => new Observable(Promise.resolve(response)),
  };
  return { ...base, middleware: [...(base.middleware ?? []), middleware], middlewareMergeStrategy: "append" };
}
