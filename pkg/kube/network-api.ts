// The slice of the Kubernetes API `reach` needs beyond pods: Services and nodes, read only, each
// failure translated into a sentence at this boundary (a missing Service is named as such).
import { CoreV1Api, type V1Node, type V1Service } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import type { KubeSession } from "./config.ts";
import { callApi, requestOptions } from "./pod-api.ts";

export interface NetworkApi {
  getService(name: string): Promise<V1Service>;
  listNodes(): Promise<V1Node[]>;
}

export function createNetworkApi(session: KubeSession): NetworkApi {
  const core = session.kc.makeApiClient(CoreV1Api);
  const namespace = session.namespace;
  const options = requestOptions(session.requestTimeoutMs);
  return {
    getService: async (name) => {
      try {
        return await core.readNamespacedService({ name, namespace }, options);
      } catch (error) {
        if ((error as { code?: unknown }).code === 404) {
          throw new KdiagError(`Service \`${name}\` not found in namespace \`${namespace}\``, { cause: error });
        }
        return callApi(session, { verb: "get", resource: "services", namespace, name }, () => Promise.reject(error));
      }
    },
    listNodes: async () => {
      const list = await callApi(session, { verb: "list", resource: "nodes", namespace }, () => core.listNode({}, options));
      return list.items;
    },
  };
}
