// `doctor`'s judgement: from what it found out about the cluster, the namespace, the user and the
// pod, whether each command will work and, when not, why and what to ask for. Pure, so every
// verdict is unit-tested from facts shaped as the API returns them.

import { commandProfiles, describeNeededProfiles, type InjectingCommand, type Profile } from "../../kube/profiles.ts";

/** The API permissions kdiag's commands use, as "verb resource" (SelfSubjectAccessReview). */
export const permissions = [
  "get pods",
  "list pods",
  "watch pods",
  "patch pods/ephemeralcontainers",
  "create pods/exec",
  "create pods/portforward",
  "get pods/log",
] as const;
export type Permission = (typeof permissions)[number];

export const podSecurityModes = ["enforce", "warn", "audit"] as const;
export type PodSecurityMode = (typeof podSecurityModes)[number];

/** What `--profile auto` would do for a command: its dry runs' answer, or why there was none. */
export type Injection =
  | { kind: "reuse"; container: string; profile: Profile }
  | { kind: "admitted"; container?: string; profile: Profile; how: "dry-run" | "namespace-label" }
  | { kind: "refused"; reason: string }
  | { kind: "unknown"; reason: string };

/** The commands doctor judges that inject kdiag's container. */
export const injectingCommands = ["shell", "ps", "redir"] as const satisfies readonly InjectingCommand[];
export type DoctorInjectingCommand = (typeof injectingCommands)[number];

export interface DoctorFacts {
  namespace: string;
  /** Who the API server takes the user for (after --as), or why that is unknown. */
  user: { name: string; groups: string[] } | { error: string };
  /** The API server's gitVersion, or why it could not be read. */
  server: { version: string } | { error: string };
  /** undefined: the review itself failed (then the command will tell). */
  access: Partial<Record<Permission, boolean>>;
  /** The namespace's PodSecurity labels; undefined when the namespace could not be read. */
  podSecurity?: Partial<Record<PodSecurityMode, string>>;
  pod?: PodFacts;
  /** Per command, the profile auto would pick (or why none). */
  injections?: Partial<Record<DoctorInjectingCommand, Injection>>;
  /** The node's kernel, or why it is unknown. */
  kernel?: { version: string } | { error: string };
}

export interface PodFacts {
  name: string;
  hostNetwork: boolean;
  target: string;
  /** "running", or the reason it is not (CrashLoopBackOff, Completed, …). */
  targetState: string;
  /** The uid the pod spec gives the target, if any. */
  targetUser?: number;
  kdiagContainers: Array<{ name: string; state: string }>;
}

export const commands = ["shell", "ps", "redir", "logs"] as const;
export type CommandName = (typeof commands)[number];

export interface Verdict {
  command: CommandName;
  works: boolean;
  /** The profile auto would run the command with (commands that inject). */
  profile?: Profile;
  /** Why not (empty when it works). */
  reasons: string[];
}

/** Ephemeral containers are GA (and the subresource exists) from Kubernetes 1.25. */
const minimumMinor = 25;
/** enter joins namespaces through pidfd_open, Linux 5.3. */
const minimumKernel: [number, number] = [5, 3];

export function judge(facts: DoctorFacts): Verdict[] {
  return commands.map((command) => {
    const reasons = [...clusterReasons(facts), ...permissionReasons(facts, command), ...podReasons(facts, command)];
    const injection = command === "logs" ? undefined : facts.injections?.[command];
    const profile = injection && "profile" in injection ? injection.profile : undefined;
    return { command, works: reasons.length === 0, ...(profile ? { profile } : {}), reasons };
  });
}

function clusterReasons(facts: DoctorFacts): string[] {
  if ("error" in facts.server) return [`the API server's version is unknown (${facts.server.error})`];
  const minor = parseMinor(facts.server.version);
  if (minor !== undefined && minor < minimumMinor) {
    return [`the cluster runs ${facts.server.version}; kdiag needs Kubernetes 1.${minimumMinor} or newer (ephemeral containers)`];
  }
  return [];
}

/** The permissions COMMAND needs: logs reads; the others add a container and talk to it. */
export function neededPermissions(command: CommandName, facts: Pick<DoctorFacts, "pod" | "injections">): Permission[] {
  if (command === "logs") return ["list pods", "watch pods", "get pods/log"];
  const inject: Permission[] = facts.injections?.[command]?.kind === "reuse" ? [] : ["patch pods/ephemeralcontainers"];
  if (command === "shell") return ["get pods", ...inject, "create pods/exec"];
  // ps and redir read the manager's port from its log, its credential with exec, and reach it
  // through a port-forward.
  return ["get pods", ...inject, "get pods/log", "create pods/exec", "create pods/portforward"];
}

function permissionReasons(facts: DoctorFacts, command: CommandName): string[] {
  const missing = neededPermissions(command, facts).filter((permission) => facts.access[permission] === false);
  if (missing.length === 0) return [];
  return [`not allowed to ${missing.join(", ")} in namespace \`${facts.namespace}\`; ask a cluster admin for ${missing.length === 1 ? "it" : "them"}`];
}

function podReasons(facts: DoctorFacts, command: CommandName): string[] {
  if (command === "logs") return [];
  const reasons: string[] = [];
  const { pod } = facts;
  const injection = facts.injections?.[command];
  if (injection?.kind === "refused") reasons.push(injection.reason);
  if (pod && pod.targetState !== "running") {
    reasons.push(`container \`${pod.target}\` in pod \`${pod.name}\` is not running (${pod.targetState})${command === "shell" ? "; shell --wait enters when it runs" : ""}`);
  }
  if (pod?.hostNetwork && command === "redir") {
    reasons.push(`pod \`${pod.name}\` uses the node's network (hostNetwork): redir needs --redirect-node-traffic to take the node's own traffic`);
  }
  if (command === "shell" && facts.kernel && "version" in facts.kernel && !kernelAtLeast(facts.kernel.version, minimumKernel)) {
    reasons.push(`the node's kernel is ${facts.kernel.version}; the shell needs Linux ${minimumKernel.join(".")} or newer (pidfd_open)`);
  }
  return reasons;
}

export function parseMinor(version: string): number | undefined {
  const match = /^v?1\.(\d+)/.exec(version);
  return match ? Number(match[1]) : undefined;
}

export function kernelAtLeast(version: string, [major, minor]: [number, number]): boolean {
  const match = /^(\d+)\.(\d+)/.exec(version);
  if (!match) return true;
  const [have, haveMinor] = [Number(match[1]), Number(match[2])];
  return have > major || (have === major && haveMinor >= minor);
}

/** The PodSecurity level each profile's container needs. */
const profileLevels: Record<Profile, number> = { privileged: 2, netadmin: 2, baseline: 1, restricted: 0 };
const levelRanks: Record<string, number> = { privileged: 2, baseline: 1, restricted: 0 };

/**
 * What auto would pick where the namespace's enforce label is all there is to go on (no pod named,
 * so no dry run): the first profile serving the command that the level admits.
 */
export function injectionFromLabels(labels: Partial<Record<PodSecurityMode, string>> | undefined, namespace: string, command: DoctorInjectingCommand): Injection {
  if (labels === undefined) return { kind: "unknown", reason: `namespace \`${namespace}\` could not be read; name a pod (--pod) for a dry run` };
  const enforce = labels.enforce ?? "privileged";
  const rank = levelRanks[enforce] ?? 2;
  const profile = commandProfiles[command].find((candidate) => profileLevels[candidate] <= rank);
  if (profile) return { kind: "admitted", profile, how: "namespace-label" };
  return {
    kind: "refused",
    reason:
      `${command} needs kdiag's profile ${describeNeededProfiles(command)}, which namespace \`${namespace}\` (PodSecurity enforce=${enforce}) does not admit; ` +
      "debug in a namespace labelled pod-security.kubernetes.io/enforce=privileged, or ask an admin to relabel this one",
  };
}
