// Which pod and container a single-pod command works on. Pure: parsing the flags, choosing the
// newest Running pod among matches, and resolving -t are unit-tested without a cluster.

import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError, UsageError } from "../errors.ts";

export type PodSelection = { kind: "name"; name: string } | { kind: "selector"; selector: string };

export function toPodSelection(argv: { pod?: string; selector?: string }): PodSelection {
  const pod = argv.pod?.trim();
  const selector = argv.selector?.trim();
  if (argv.pod !== undefined && argv.selector !== undefined) {
    throw new UsageError("--pod and -l cannot be used together; choose one");
  }
  if (pod) return { kind: "name", name: pod };
  if (selector) return { kind: "selector", selector };
  if (argv.pod !== undefined) throw new UsageError("--pod needs a pod name");
  if (argv.selector !== undefined) throw new UsageError("-l needs a label selector, e.g. -l app=web");
  throw new UsageError("choose a pod with --pod NAME or -l SELECTOR");
}

export function isRunning(pod: V1Pod): boolean {
  return pod.status?.phase === "Running" && !pod.metadata?.deletionTimestamp;
}

/** The newest Running pod, or a KdiagError that says what matched instead. */
export function pickNewestRunning(pods: V1Pod[], context: { selector: string; namespace: string }): V1Pod {
  const running = pods.filter(isRunning).sort((a, b) => createdAt(b) - createdAt(a));
  const newest = running[0];
  if (newest) return newest;
  if (pods.length === 0) {
    throw new KdiagError(`no pod matches -l \`${context.selector}\` in namespace \`${context.namespace}\``);
  }
  const found = pods.map((pod) => `${pod.metadata?.name} (${describePhase(pod)})`).join(", ");
  throw new KdiagError(
    `no Running pod matches -l \`${context.selector}\` in namespace \`${context.namespace}\`; found ${found}`,
  );
}

export function requireRunning(pod: V1Pod): V1Pod {
  if (isRunning(pod)) return pod;
  throw new KdiagError(`pod \`${pod.metadata?.name}\` is ${describePhase(pod)}, not Running; kdiag works on running pods`);
}

/** The container `-t` names, or the pod's first container. */
export function resolveTarget(pod: V1Pod, target: string | undefined): string {
  const names = (pod.spec?.containers ?? []).map((container) => container.name);
  if (target === undefined) {
    const first = names[0];
    if (first === undefined) throw new KdiagError(`pod \`${pod.metadata?.name}\` has no containers`);
    return first;
  }
  if (names.includes(target)) return target;
  throw new KdiagError(
    `container \`${target}\` (from -t) is not in pod \`${pod.metadata?.name}\`; its containers: ${names.join(", ")}`,
  );
}

function describePhase(pod: V1Pod): string {
  return pod.metadata?.deletionTimestamp ? "Terminating" : (pod.status?.phase ?? "Unknown");
}

function createdAt(pod: V1Pod): number {
  const stamp = pod.metadata?.creationTimestamp;
  return stamp ? new Date(stamp).getTime() : 0;
}
