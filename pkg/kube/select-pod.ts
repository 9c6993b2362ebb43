// Finds the pod a single-pod command works on, through the API.

import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import type { PodApi } from "./pod-api.ts";
import { pickNewestRunning, requireRunning, type PodSelection } from "./pod-selection.ts";

export async function selectPod(api: PodApi, selection: PodSelection): Promise<V1Pod> {
  switch (selection.kind) {
    case "name": {
      let pod: V1Pod;
      try {
        pod = await api.getPod(selection.name);
      } catch (error) {
        await rejectMissingNamespace(api);
        throw error;
      }
      return requireRunning(pod);
    }
    case "selector": {
      const pods = await api.listPods(selection.selector);
      if (pods.length === 0) await rejectMissingNamespace(api);
      return pickNewestRunning(pods, { selector: selection.selector, namespace: api.namespace });
    }
  }
}

/** Listing pods of an absent namespace yields nothing rather than a 404: say when that is why. */
export async function rejectMissingNamespace(api: PodApi): Promise<void> {
  if ((await api.namespaceExists()) === false) {
    throw new KdiagError(`namespace \`${api.namespace}\` does not exist; pass -n with an existing namespace`);
  }
}
