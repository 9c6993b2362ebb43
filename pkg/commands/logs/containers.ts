// Which containers of a pod a log source follows. Pure, over the few pod fields it needs.
import type { V1Pod } from "@kubernetes/client-node";
import { managerContainerPrefix } from "../../kube/ephemeral.ts";

// kdiag's own managers (ephemeral containers named `kdiag-…`) are skipped: their log is just the port.
const DEFAULT_CONTAINER_ANNOTATION = "kubectl.kubernetes.io/default-container";

export interface ContainerChoice {
  /** Follow all of these. */
  containers: string[];
  /** A named container the pod does not have (the caller reports it with `known`). */
  missing?: string;
  known: string[];
}

/** Every container a user may name: regular, init and ephemeral. */
export function listContainers(pod: V1Pod): string[] {
  const spec = pod.spec;
  return [
    ...(spec?.containers ?? []).map((c) => c.name),
    ...(spec?.initContainers ?? []).map((c) => c.name),
    ...(spec?.ephemeralContainers ?? []).map((c) => c.name),
  ];
}

/** The container `kubectl logs` would pick: the default-container annotation, else the first. */
export function defaultContainer(pod: V1Pod): string | undefined {
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated && listContainers(pod).includes(annotated)) return annotated;
  return pod.spec?.containers?.[0]?.name;
}

/**
 * With --all: the regular containers, native sidecars (init containers that restart always, as
 * Istio's proxy is) and ephemeral containers other than kdiag's own. One-shot init containers
 * have finished before anything we follow happens, so they are left out.
 */
export function allContainers(pod: V1Pod): string[] {
  const spec = pod.spec;
  return [
    ...(spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always").map((c) => c.name),
    ...(spec?.containers ?? []).map((c) => c.name),
    ...(spec?.ephemeralContainers ?? []).map((c) => c.name).filter((name) => !name.startsWith(managerContainerPrefix)),
  ];
}

/** Picks the containers for one pod given the source's `:container`, -c and --all. */
export function chooseContainers(pod: V1Pod, options: { container?: string; all: boolean }): ContainerChoice {
  const known = listContainers(pod);
  if (options.all) return { containers: allContainers(pod), known };
  const wanted = options.container ?? defaultContainer(pod);
  if (wanted === undefined) return { containers: [], known };
  if (!known.includes(wanted)) return { containers: [], missing: wanted, known };
  return { containers: [wanted], known };
}

/** True while the container runs: only then can its log be followed. */
export function isContainerRunning(pod: V1Pod, container: string): boolean {
  const status = pod.status;
  const statuses = [
    ...(status?.containerStatuses ?? []),
    ...(status?.initContainerStatuses ?? []),
    ...(status?.ephemeralContainerStatuses ?? []),
  ];
  return statuses.some((s) => s.name === container && s.state?.running !== undefined);
}

/** True once the pod can run nothing more (finished, failed or being deleted). */
export function isPodOver(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  return phase === "Succeeded" || phase === "Failed" || pod.metadata?.deletionTimestamp !== undefined;
}
