// The uid (and gid) kdiag's container runs as under the baseline profile: one of its own, so that
// no process of the target shares it. A process may read another's /proc/<pid>/root, /mem or fds
// only as the same uid (or with CAP_SYS_PTRACE): were kdiag the target's uid, the target could
// read the manager's credential, write its credential directory and drive it.
//
// Why a hash of the pod's uid, in 2000000000 + (hash % 100000000): the range is far above what
// images and runAsUser use (system users < 1000, people and images < 65536, OpenShift's ranges
// 1000000000-1999999999 and user namespaces' 65536-sized blocks below 2^31), and still below
// 2^31 for tools that read uids as signed. The pod's uid is random, set by the API server when the
// pod is created, so no pod spec written before can name kdiag's uid in advance; and any uid or
// gid the pod spec does name is stepped over.
import { createHash } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";

export const kdiagUidBase = 2_000_000_000;
export const kdiagUidRange = 100_000_000;

export function chooseKdiagUid(pod: V1Pod): number {
  const seed = pod.metadata?.uid ?? `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
  const hash = createHash("sha256").update(seed).digest().readUInt32BE(0);
  const named = readNamedIds(pod);
  let uid = kdiagUidBase + (hash % kdiagUidRange);
  while (named.has(uid)) uid = kdiagUidBase + ((uid - kdiagUidBase + 1) % kdiagUidRange);
  return uid;
}

/** Every uid and gid the pod spec names, for any container or the pod itself. */
function readNamedIds(pod: V1Pod): Set<number> {
  const contexts = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []), ...(pod.spec?.ephemeralContainers ?? [])]
    // kdiag's own containers are not the workload's (and the same pod keeps the same uid).
    .filter((container) => !container.name.startsWith("kdiag-"))
    .map((container) => container.securityContext ?? {});
  const podContext = pod.spec?.securityContext ?? {};
  const ids = [podContext.runAsUser, podContext.runAsGroup, podContext.fsGroup, ...(podContext.supplementalGroups ?? [])];
  for (const context of contexts) ids.push(context.runAsUser, context.runAsGroup);
  return new Set(ids.filter((id): id is number => id !== undefined));
}
