// Finds out, without changing anything, what decides whether kdiag's commands work: the API
// server's version, the user's permissions (SelfSubjectAccessReviews, so --as is honoured), the
// namespace's PodSecurity labels, and for a pod its target and a server-side dry run of adding
// kdiag's container — the admission chain's own answer, not a guess from labels.

import { AuthenticationV1Api, AuthorizationV1Api, CoreV1Api, VersionApi, type V1Pod } from "@kubernetes/client-node";
import { describeError } from "../../errors.ts";
import type { KubeSession } from "../../kube/config.ts";
import { chooseProfile, describeRefusal, findReusableProfile } from "../../kube/choose-profile.ts";
import { managerContainerPrefix, type ManagerSpec } from "../../kube/ephemeral.ts";
import { commandProfiles, readTargetUser } from "../../kube/profiles.ts";
import { requestOptions, type PodApi } from "../../kube/pod-api.ts";
import { resolveTarget } from "../../kube/pod-selection.ts";
import { selectPod } from "../../kube/select-pod.ts";
import { getKdiagVersion } from "../../version.ts";
import type { DoctorConfig } from "./config.ts";
import {
  injectingCommands,
  injectionFromLabels,
  permissions,
  type DoctorInjectingCommand,
  podSecurityModes,
  type DoctorFacts,
  type Injection,
  type Permission,
  type PodFacts,
  type PodSecurityMode,
} from "./verdicts.ts";

export async function gatherFacts(config: DoctorConfig, session: KubeSession, api: PodApi): Promise<DoctorFacts> {
  const namespace = session.namespace;
  const options = requestOptions(session.requestTimeoutMs);
  const core = session.kc.makeApiClient(CoreV1Api);
  const [server, user, access, podSecurity, pod] = await Promise.all([
    readServerVersion(session),
    readUser(session),
    reviewAccess(session, namespace),
    core.readNamespace({ name: namespace }, options).then(
      (found) => readPodSecurity(found.metadata?.labels ?? {}),
      () => undefined,
    ),
    // A pod that cannot be found is the one fact doctor cannot go without: its sentence ends the run.
    config.selection ? selectPod(api, config.selection) : Promise.resolve(undefined),
  ]);
  const facts: DoctorFacts = { namespace, user, server, access, podSecurity };
  if (!pod) {
    const injections = Object.fromEntries(injectingCommands.map((command) => [command, injectionFromLabels(podSecurity, namespace, command)]));
    return { ...facts, injections };
  }
  const target = resolveTarget(pod, config.target);
  const spec = { version: getKdiagVersion(), target, image: config.image, pullPolicy: "IfNotPresent" as const, user: readTargetUser(pod, target) };
  const [injections, kernel] = await Promise.all([
    chooseInjections(api, pod, spec, access, namespace),
    readKernel(core, pod, options),
  ]);
  return { ...facts, pod: describePod(pod, target), injections, kernel };
}

async function readServerVersion(session: KubeSession): Promise<DoctorFacts["server"]> {
  try {
    const info = await session.kc.makeApiClient(VersionApi).getCode(requestOptions(session.requestTimeoutMs));
    return { version: info.gitVersion };
  } catch (error) {
    return { error: describeError(error) };
  }
}

/** SelfSubjectReview (Kubernetes 1.28+): the identity every other answer here is about. */
async function readUser(session: KubeSession): Promise<DoctorFacts["user"]> {
  try {
    const review = await session.kc.makeApiClient(AuthenticationV1Api).createSelfSubjectReview({ body: {} }, requestOptions(session.requestTimeoutMs));
    const info = review.status?.userInfo;
    return { name: info?.username ?? "unknown", groups: info?.groups ?? [] };
  } catch (error) {
    return { error: describeError(error) };
  }
}

async function reviewAccess(session: KubeSession, namespace: string): Promise<DoctorFacts["access"]> {
  const authorization = session.kc.makeApiClient(AuthorizationV1Api);
  const options = requestOptions(session.requestTimeoutMs);
  const entries = await Promise.all(
    permissions.map(async (permission): Promise<[Permission, boolean | undefined]> => {
      const [verb, path = ""] = permission.split(" ");
      const [resource, subresource] = path.split("/");
      try {
        const review = await authorization.createSelfSubjectAccessReview(
          { body: { spec: { resourceAttributes: { namespace, verb, resource, subresource } } } },
          options,
        );
        return [permission, review.status?.allowed ?? false];
      } catch {
        return [permission, undefined];
      }
    }),
  );
  return Object.fromEntries(entries.filter(([, allowed]) => allowed !== undefined));
}

function readPodSecurity(labels: Record<string, string>): Partial<Record<PodSecurityMode, string>> {
  const levels: Partial<Record<PodSecurityMode, string>> = {};
  for (const mode of podSecurityModes) {
    const level = labels[`pod-security.kubernetes.io/${mode}`];
    if (level !== undefined) levels[mode] = level;
  }
  return levels;
}

/**
 * What --profile auto would do for each command (choose-profile.ts, the very function the commands
 * use): reuse needs no admission; otherwise the dry runs answer. Commands with the same profiles
 * share one answer.
 */
async function chooseInjections(api: PodApi, pod: V1Pod, spec: Omit<ManagerSpec, "profile">, access: DoctorFacts["access"], namespace: string): Promise<DoctorFacts["injections"]> {
  const answers = new Map<string, Promise<Injection>>();
  const entries = injectingCommands.map(async (command): Promise<[DoctorInjectingCommand, Injection]> => {
    const key = commandProfiles[command].join(",");
    if (!answers.has(key)) answers.set(key, chooseInjection(api, pod, spec, access, command, namespace));
    return [command, await answers.get(key)!];
  });
  return Object.fromEntries(await Promise.all(entries));
}

async function chooseInjection(api: PodApi, pod: V1Pod, spec: Omit<ManagerSpec, "profile">, access: DoctorFacts["access"], command: DoctorInjectingCommand, namespace: string): Promise<Injection> {
  const reusable = findReusableProfile(pod, spec, commandProfiles[command]);
  if (reusable) return { kind: "reuse", container: reusable.container, profile: reusable.profile };
  if (access["patch pods/ephemeralcontainers"] === false) {
    return { kind: "unknown", reason: "not allowed to add ephemeral containers, so no dry run" };
  }
  const podName = pod.metadata?.name ?? "";
  const choice = await chooseProfile({ pod, spec, command, dryRun: (container) => api.addEphemeralContainer(podName, container, { dryRun: true }) });
  if (choice.kind === "refused") {
    const refusal = describeRefusal(command, { pod: podName, namespace }, choice.refusals);
    return { kind: "refused", reason: describeError(refusal) };
  }
  if (choice.kind === "reuse") return { kind: "reuse", container: choice.container, profile: choice.profile };
  return { kind: "admitted", container: choice.container, profile: choice.profile, how: "dry-run" };
}

async function readKernel(core: CoreV1Api, pod: V1Pod, options: ReturnType<typeof requestOptions>): Promise<DoctorFacts["kernel"]> {
  const nodeName = pod.spec?.nodeName;
  if (!nodeName) return { error: "the pod has no node yet" };
  try {
    const node = await core.readNode({ name: nodeName }, options);
    return { version: node.status?.nodeInfo?.kernelVersion ?? "unknown" };
  } catch {
    return { error: `may not read node ${nodeName}` };
  }
}

function describePod(pod: V1Pod, target: string): PodFacts {
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === target);
  const state = status?.state;
  const targetState = state?.running ? "running" : (state?.waiting?.reason ?? state?.terminated?.reason ?? "not started");
  const container = pod.spec?.containers.find((candidate) => candidate.name === target);
  const targetUser = container?.securityContext?.runAsUser ?? pod.spec?.securityContext?.runAsUser;
  const statuses = pod.status?.ephemeralContainerStatuses ?? [];
  const kdiagContainers = (pod.spec?.ephemeralContainers ?? [])
    .filter((ephemeral) => ephemeral.name.startsWith(managerContainerPrefix))
    .map((ephemeral) => {
      const found = statuses.find((candidate) => candidate.name === ephemeral.name)?.state;
      return { name: ephemeral.name, state: found?.running ? "running" : (found?.waiting?.reason ?? found?.terminated?.reason ?? "unknown") };
    });
  return { name: pod.metadata?.name ?? "", hostNetwork: pod.spec?.hostNetwork ?? false, target, targetState, targetUser, kdiagContainers };
}
