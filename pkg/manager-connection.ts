// Everything between "the user named a pod" and "we can talk to kdiag's manager in it": load the
// kubeconfig, pick the pod and target, ensure the ephemeral container, read its port and its
// credential, and open connections to it: a port-forward wrapped in TLS with the manager's
// certificate pinned. The gRPC client over them is manager-client.ts.

import type { Duplex } from "node:stream";
import type { V1Pod } from "@kubernetes/client-node";
import type { PodCommandConfig } from "./commands/pod-config.ts";
import { loadKubeSession, type KubeSession } from "./kube/config.ts";
import { chooseProfile, describeRefusal } from "./kube/choose-profile.ts";
import { readContainerUid, type ManagerSpec } from "./kube/ephemeral.ts";
import { ensureManagerContainer } from "./kube/inject.ts";
import { commandProfiles, profileSummaries, readTargetUser, type InjectingCommand, type Profile } from "./kube/profiles.ts";
import {
  fetchManagerCredential,
  forgetManagerCredential,
  loadManagerCredential,
  type CredentialSource,
  type ManagerCredential,
} from "./kube/manager-credential.ts";
import { discoverManagerPort } from "./kube/manager-port.ts";
import { forgetPort, readCachedPort, storePort, type ManagerInstance } from "./kube/manager-port-cache.ts";
import { forgetCheckedFeatures, readCheckedFeatures, storeCheckedFeature } from "./kube/manager-feature-cache.ts";
import { findEphemeralStatus } from "./kube/container-state.ts";
import { connectManagerTls } from "./kube/manager-tls.ts";
import { createPodApi, type PodApi } from "./kube/pod-api.ts";
import { resolveTarget } from "./kube/pod-selection.ts";
import { describeTargetForEnter, readTargetState } from "./kube/target-container.ts";
import { forwardPort } from "./kube/port-forward.ts";
import { selectPod } from "./kube/select-pod.ts";
import type { Progress } from "./output/progress.ts";
import { markStep } from "./output/step-timings.ts";
import { getKdiagVersion } from "./version.ts";

export interface Kube {
  session: KubeSession;
  api: PodApi;
}

export function openKube(config: Pick<PodCommandConfig, "kube">): Kube {
  const session = loadKubeSession(config.kube);
  markStep("kubeconfig loaded");
  return { session, api: createPodApi(session) };
}

export interface ReadyManager {
  pod: V1Pod;
  podName: string;
  target: string;
  container: string;
  /** true when this command added the container (a first injection). */
  added: boolean;
  /** The container's profile (auto resolved). */
  profile: Profile;
  /** The look for the manager's port started while kdiag waited for its container to start. */
  announced?: Promise<number>;
}

/** What a command refuses before anything is added to the pod: throws a KdiagError to refuse. */
export interface PodCheck {
  checkPod?: (pod: V1Pod) => void;
  /** A target that is not running: refused (naming --wait when the command has it) or waited for. */
  stoppedTarget?: { offersWait: boolean; waitForTarget?: (pod: V1Pod, target: string) => Promise<V1Pod> };
}

/**
 * Selects the pod and makes sure kdiag's container runs next to the target. A container that
 * has to start is known to run once the manager announces its port (see watchManagerStart); that
 * look is ReadyManager.announced.
 */
export async function prepareManager(config: PodCommandConfig, kube: Kube, progress: Progress, check: PodCheck = {}): Promise<ReadyManager> {
  progress.update(`looking for ${config.selection.kind === "name" ? `pod ${config.selection.name}` : `a pod matching ${config.selection.selector}`}`);
  let pod = await selectPod(kube.api, config.selection);
  markStep("pod read");
  check.checkPod?.(pod);
  const target = resolveTarget(pod, config.target);
  // kdiag's container joins the target's pid namespace: a target that is not running would
  // only fail later, in the runtime's words.
  const waitForTarget = check.stoppedTarget?.waitForTarget;
  if (waitForTarget && readTargetState(pod, target).kind !== "running") pod = await waitForTarget(pod, target);
  describeTargetForEnter(pod, target, { offersWait: check.stoppedTarget?.offersWait });
  const base = { version: getKdiagVersion(), target, image: config.image, pullPolicy: config.pullPolicy, user: readTargetUser(pod, target) };
  const { profile, added } =
    config.profile === "auto" ? await resolveAutoProfile(config, kube, progress, pod, base) : { profile: config.profile, added: false };
  let announced: Promise<number> | undefined;
  const podName = pod.metadata?.name ?? "";
  const watching = new AbortController();
  try {
    const injected = await ensureManagerContainer({
      api: kube.api,
      pod,
      spec: { ...base, profile },
      timeoutMs: config.timeoutMs,
      progress,
      alreadyAdded: added,
      watchStart: (container) => (announced = watchManagerStart(kube, podName, container, config.timeoutMs, watching.signal)),
    });
    return { ...injected, target, profile, ...(announced && { announced }) };
  } catch (error) {
    watching.abort();
    throw error;
  }
}

/**
 * The port the manager announces in its log, read while the pod's status still says the
 * container is starting: the kubelet reports it running only on its next look at the runtime,
 * up to a second after the manager already listens. A look that fails proves nothing (the wait
 * goes on by the pod's status, which says why better), so it is not left unhandled, and whoever
 * needs the port reads the log afresh then (ReadyManager.announced).
 */
function watchManagerStart(kube: Kube, podName: string, container: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
  const announced = discoverManagerPort({ api: kube.api, podName, container, timeoutMs, whileStarting: { signal } });
  announced.catch(() => {});
  return announced;
}

/**
 * --profile auto: a kdiag container that serves the command is reused; otherwise the dry runs
 * pick the profile to add, which is said on stderr (a note: --quiet silences it). When the
 * namespace admits none, one line names what the command needs and why it was refused.
 */
async function resolveAutoProfile(
  config: PodCommandConfig,
  kube: Kube,
  progress: Progress,
  pod: V1Pod,
  spec: Omit<ManagerSpec, "profile">,
): Promise<{ profile: Profile; added: boolean }> {
  const podName = pod.metadata?.name ?? "";
  progress.update(`choosing kdiag's profile for ${config.command} in pod ${podName}`);
  const choice = await chooseProfile({
    pod,
    spec,
    command: config.command,
    dryRun: (container) => kube.api.addEphemeralContainer(podName, container, { dryRun: true }),
    add: (container) => kube.api.addEphemeralContainer(podName, container),
  });
  markStep("profile chosen");
  if (choice.kind === "refused") throw describeRefusal(config.command, { pod: podName, namespace: kube.session.namespace }, choice.refusals);
  if (choice.kind === "add") progress.note(`profile ${choice.profile} (auto: ${describeChoice(config.command, choice.profile)})`);
  return { profile: choice.profile, added: choice.kind === "add" && choice.added };
}

function describeChoice(command: InjectingCommand, profile: Profile): string {
  const [full] = commandProfiles[command];
  return profile === full || profile === "privileged" ? profileSummaries[profile] : `${full} is not admitted here; ${profileSummaries[profile]}`;
}

export interface ManagerEndpoint extends ReadyManager {
  /** The manager's port inside the pod (on its loopback). */
  port: number;
  /** A fresh port-forwarded connection to any port of the pod (the manager's, redir's tunnels). */
  forward(port: number): Promise<Duplex>;
}

interface LocatedManager extends ManagerEndpoint {
  /** Set when the port was remembered rather than read: unproven until a connection succeeds. */
  cachedPort?: ManagerInstance;
  /** The port from the manager's log. */
  readPort(): Promise<number>;
}

/** prepareManager, then the manager's port: remembered for this very container, else from its log. */
async function locateManager(config: PodCommandConfig, kube: Kube, progress: Progress, check: PodCheck): Promise<LocatedManager> {
  const ready = await prepareManager(config, kube, progress, check);
  const readPort = async () => {
    progress.update(`reading the manager's port from ${ready.container}`);
    const announced = ready.announced;
    ready.announced = undefined;
    // A look that failed while the container started (its deadline began with the patch) is no
    // verdict: the container runs now, so its log gets a look of its own.
    const port =
      (await announced?.catch(() => undefined)) ??
      (await discoverManagerPort({ api: kube.api, podName: ready.podName, container: ready.container, timeoutMs: config.timeoutMs }));
    markStep("manager port read from its log");
    return port;
  };
  const forward = (podPort: number) =>
    forwardPort({ kc: kube.session.kc, namespace: kube.session.namespace, pod: ready.podName, port: podPort });
  const instance = describeManagerInstance(ready);
  const remembered = instance && !ready.added ? await readCachedPort(instance) : undefined;
  if (remembered !== undefined) markStep("manager port read from the cache");
  const port = remembered ?? (await readPort());
  return { ...ready, port, forward, readPort, cachedPort: remembered === undefined ? undefined : instance };
}

function describeManagerInstance(ready: ReadyManager): ManagerInstance | undefined {
  const containerId = findEphemeralStatus(ready.pod, ready.container)?.containerID;
  const podUid = ready.pod.metadata?.uid;
  return containerId && podUid ? { podUid, container: ready.container, containerId } : undefined;
}

export interface SecureManagerEndpoint extends ManagerEndpoint {
  credential: ManagerCredential;
  /** The features this very container was already found to have every capability for (manager-capabilities.ts). */
  checkedFeatures: FeatureCache;
  /** A fresh authenticated-ready connection to the manager: port-forward, then pinned TLS. */
  connect(): Promise<Duplex>;
  /** Drops the manager's cached credential and port: for a pod that is gone for good. */
  forget(): Promise<void>;
}

export interface FeatureCache {
  has(feature: string): Promise<boolean>;
  remember(feature: string): Promise<void>;
}

/**
 * locateManager, then the manager's credential (cached, else read through exec). The first
 * connection proves the port and credential current; when it fails, whichever of them came from
 * the cache is read again, once.
 */
export async function secureManager(
  config: PodCommandConfig,
  kube: Kube,
  progress: Progress,
  check: PodCheck = {},
  hooks: { whileConnecting?: () => void } = {},
): Promise<SecureManagerEndpoint> {
  const located = await locateManager(config, kube, progress, check);
  const { readPort, cachedPort, ...endpoint } = located;
  const source: CredentialSource = {
    kc: kube.session.kc,
    namespace: kube.session.namespace,
    pod: endpoint.podName,
    podUid: endpoint.pod.metadata?.uid ?? endpoint.podName,
    container: endpoint.container,
    uid: readContainerUid(endpoint.pod, endpoint.container),
  };
  progress.update(`reading the credential of ${endpoint.container}`);
  const loaded = await loadManagerCredential(source);
  markStep(loaded.cached ? "credential read from the cache" : "credential read through exec");
  let port = endpoint.port;
  let portFromLog = cachedPort === undefined;
  let credential = loaded.credential;
  const open = () => connectManagerTls({ forward: () => endpoint.forward(port), credential, pod: endpoint.podName });
  let first: Duplex | undefined;
  try {
    const opening = open();
    hooks.whileConnecting?.();
    first = await opening;
  } catch (error) {
    if (!loaded.cached && !cachedPort) throw error;
    if (cachedPort) {
      await forgetPort(cachedPort);
      port = await readPort();
      portFromLog = true;
    }
    if (loaded.cached) credential = await fetchManagerCredential(source);
    first = await open();
  }
  markStep("manager connected (port-forward, TLS)");
  const instance = describeManagerInstance(endpoint);
  if (instance && portFromLog) await storePort(instance, port);
  // The proven connection serves the first caller rather than being thrown away.
  return {
    ...endpoint,
    port,
    credential,
    checkedFeatures: {
      has: async (feature) => (instance ? (await readCheckedFeatures(instance)).includes(feature) : false),
      remember: async (feature) => (instance ? storeCheckedFeature(instance, feature) : undefined),
    },
    forget: async () => {
      await forgetManagerCredential(source);
      await forgetPort(instance ?? { podUid: source.podUid, container: endpoint.container, containerId: "" });
      await forgetCheckedFeatures({ podUid: source.podUid, container: endpoint.container });
    },
    connect: () => {
      const ready = first;
      first = undefined;
      return ready ? Promise.resolve(ready) : open();
    },
  };
}
