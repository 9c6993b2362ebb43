// What kdiag adds to a pod, and whether an existing kdiag container can be reused. Pure (only
// client-node *types*), so naming, the container spec and the reuse rule are unit-tested.

import { createHash } from "node:crypto";
import type { V1ContainerStatus, V1EphemeralContainer, V1Pod } from "@kubernetes/client-node";
import { buildSecurityContext, type Profile, type TargetUser } from "./profiles.ts";

export const pullPolicies = ["IfNotPresent", "Always", "Never"] as const;
export type PullPolicy = (typeof pullPolicies)[number];

export { profiles, type Profile } from "./profiles.ts";

export interface ManagerSpec {
  /** kdiag's version: a new version gets a new container, never a stale manager. */
  version: string;
  /** The container whose pid namespace the manager joins. */
  target: string;
  image: string;
  pullPolicy: PullPolicy;
  profile: Profile;
  /** The target's user from the pod spec: baseline and restricted run as it. */
  user?: TargetUser;
}

/**
 * `kdiag-<hash>` of the version and target: the same CLI and target find the same container, and
 * a different `-t` gets its own manager in that container's pid namespace.
 */
export const managerContainerPrefix = "kdiag-";

export function getBaseContainerName(spec: Pick<ManagerSpec, "version" | "target"> & { profile?: Profile }): string {
  const hash = createHash("sha256").update(`${spec.version}\0${spec.target}`).digest("hex");
  // A profile other than privileged is in the name: a container is reused only with its profile.
  const profile = spec.profile === undefined || spec.profile === "privileged" ? "" : `${spec.profile}-`;
  return `${managerContainerPrefix}${profile}${hash.slice(0, 10)}`;
}

/** Attempt 1 is the base name; later ones (after a terminated manager) get `-2`, `-3`, … */
export function getAttemptName(base: string, attempt: number): string {
  return attempt <= 1 ? base : `${base}-${attempt}`;
}

export function buildManagerContainer(spec: ManagerSpec, name: string): V1EphemeralContainer {
  return {
    name,
    image: spec.image,
    imagePullPolicy: spec.pullPolicy,
    targetContainerName: spec.target,
    securityContext: buildSecurityContext(spec.profile, spec.user),
    terminationMessagePolicy: "FallbackToLogsOnError",
  };
}

/**
 * The patch that adds one ephemeral container, sent as a *strategic merge* patch: the list merges
 * by `name`, so existing ephemeral containers stay, and re-adding an identical one (two kdiag
 * commands racing) is a no-op rather than an error.
 */
export function buildEphemeralPatch(container: V1EphemeralContainer): { spec: { ephemeralContainers: V1EphemeralContainer[] } } {
  return { spec: { ephemeralContainers: [container] } };
}

export type InjectionPlan = { kind: "reuse"; name: string } | { kind: "add"; name: string };

/**
 * Reuse our newest container that runs (or is still starting) with the requested image; a
 * terminated one is never waited on, and a different image gets a fresh container.
 */
export function planInjection(pod: V1Pod, spec: ManagerSpec): InjectionPlan {
  const base = getBaseContainerName(spec);
  const ours = (pod.spec?.ephemeralContainers ?? [])
    .map((container) => ({ container, attempt: readAttempt(base, container.name) }))
    .filter((entry): entry is { container: V1EphemeralContainer; attempt: number } => entry.attempt !== undefined)
    .sort((a, b) => b.attempt - a.attempt);
  const statuses = pod.status?.ephemeralContainerStatuses ?? [];
  for (const { container } of ours) {
    if (container.image !== spec.image) continue;
    const status = statuses.find((candidate) => candidate.name === container.name);
    if (!isTerminated(status)) return { kind: "reuse", name: container.name };
  }
  const next = (ours[0]?.attempt ?? 0) + 1;
  return { kind: "add", name: getAttemptName(base, next) };
}

function readAttempt(base: string, name: string): number | undefined {
  if (name === base) return 1;
  const match = new RegExp(`^${base}-(\\d+)$`).exec(name);
  return match ? Number(match[1]) : undefined;
}

function isTerminated(status: V1ContainerStatus | undefined): boolean {
  return status?.state?.terminated !== undefined;
}

/** The uid a kdiag container runs as (its securityContext says it; root when it does not). */
export function readContainerUid(pod: V1Pod, name: string): number {
  return pod.spec?.ephemeralContainers?.find((container) => container.name === name)?.securityContext?.runAsUser ?? 0;
}
