// Makes sure kdiag's manager runs as an ephemeral container next to the target: reuse a running
// one, add a fresh one otherwise, then wait for it.

import type { V1Pod } from "@kubernetes/client-node";
import type { Progress } from "../output/progress.ts";
import { findEphemeralStatus, readContainerState } from "./container-state.ts";
import { buildManagerContainer, planInjection, type ManagerSpec } from "./ephemeral.ts";
import type { PodApi } from "./pod-api.ts";
import { waitForContainerRunning } from "./wait-container.ts";

export interface EnsureOptions {
  api: PodApi;
  pod: V1Pod;
  spec: ManagerSpec;
  timeoutMs: number;
  progress: Progress;
  /** The container was added already (auto's first candidate goes out as the real patch). */
  alreadyAdded?: boolean;
  /** Starts another proof that CONTAINER runs, which ends the wait early (see WaitOptions.started). */
  watchStart?: (container: string) => Promise<unknown>;
}

export interface InjectedContainer {
  pod: V1Pod;
  podName: string;
  container: string;
  /** true when this call added the container (a first injection). */
  added: boolean;
}

export async function ensureManagerContainer(options: EnsureOptions): Promise<InjectedContainer> {
  const { api, spec, progress } = options;
  const podName = options.pod.metadata?.name ?? "";
  const plan = planInjection(options.pod, spec);
  const known = readContainerState(findEphemeralStatus(options.pod, plan.name));
  // The pod we were handed is fresh: a running manager needs no second look.
  if (plan.kind === "reuse" && known.kind === "running") {
    return { pod: options.pod, podName, container: plan.name, added: false };
  }
  if (plan.kind === "add" && !options.alreadyAdded) {
    progress.update(`adding ${plan.name} to pod ${podName} (image ${spec.image})`);
    await api.addEphemeralContainer(podName, buildManagerContainer(spec, plan.name));
  }
  const pod = await waitForContainerRunning({
    api,
    podName,
    container: plan.name,
    image: spec.image,
    timeoutMs: options.timeoutMs,
    progress,
    started: options.watchStart?.(plan.name),
  });
  return { pod, podName, container: plan.name, added: plan.kind === "add" };
}
