// The slice of the Kubernetes API `reach` and `rules --service` need beyond pods: Services, their
// EndpointSlices and nodes, read only, each failure translated into a sentence at this boundary
// (a missing Service is named as such).
import { CoreV1Api, DiscoveryV1Api, type V1EndpointSlice, type V1Node, type V1Service } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import type { KubeSession } from "./config.ts";
import { callApi, requestOptions } from "./pod-api.ts";

export interface NetworkApi {
  /** In the session's namespace unless NAMESPACE says otherwise. */
  getService(name: string, namespace?: string): Promise<V1Service>;
  listEndpointSlices(service: string, namespace: string): Promise<V1EndpointSlice[]>;
  listNodes(): Promise<V1Node[]>;
}

export function createNetworkApi(session: KubeSession): NetworkApi {
  const core = session.kc.makeApiClient(CoreV1Api);
  const discovery = session.kc.makeApiClient(DiscoveryV1Api);
  const options = requestOptions(session.requestTimeoutMs);
  return {
    getService: async (name, namespace = session.namespace) => {
      try {
        return await core.readNamespacedService({ name, namespace }, options);
      } catch (error) {
        if ((error as { code?: unknown }).code === 404) {
          throw new KdiagError(`Service \`${name}\` not found in namespace \`${namespace}\``, { cause: error });
        }
        return callApi(session, { verb: "get", resource: "services", namespace, name }, () => Promise.reject(error));
      }
    },
    listEndpointSlices: async (service, namespace) => {
      const labelSelector = `kubernetes.io/service-name=${service}`;
      const list = await callApi(session, { verb: "list", resource: "endpointslices", namespace }, () =>
        discovery.listNamespacedEndpointSlice({ namespace, labelSelector }, options),
      );
      return list.items;
    },
    listNodes: async () => {
      const list = await callApi(session, { verb: "list", resource: "nodes", namespace: session.namespace }, () => core.listNode({}, options));
      return list.items;
    },
  };
}
