// kdiag's profiles: what its container may do (the securityContext each one asks for) and which
// profiles serve which command. Pure (only client-node *types*); unit-tested.

import type { V1EphemeralContainer, V1Pod } from "@kubernetes/client-node";

/**
 * What kdiag's container may do, most to least:
 * - privileged: everything, on every runtime;
 * - netadmin: root with the capabilities redirects (NET_ADMIN, NET_RAW) and the full shell
 *   (joining namespaces: SYS_ADMIN, SYS_PTRACE, SYS_CHROOT) need, not privileged;
 * - baseline: what PodSecurity `baseline` admits: the target's own user with SYS_CHROOT only, so
 *   the shell chroots into the target's root (enter --chroot); no redirects;
 * - restricted: what `restricted` admits: non-root, no capability, seccomp RuntimeDefault; the
 *   shell runs in kdiag's own filesystem (enter --own-root); ps works.
 */
export const profiles = ["privileged", "netadmin", "baseline", "restricted"] as const;
export type Profile = (typeof profiles)[number];

/** `auto` (the default) picks one of the profiles per command and namespace (choose-profile.ts). */
export const profileChoices = [...profiles, "auto"] as const;
export type ProfileChoice = (typeof profileChoices)[number];

/** The commands that inject kdiag's container. */
export type InjectingCommand = "shell" | "ps" | "manage" | "redir" | "rules" | "reach";

/**
 * The profiles that serve each command, in the order `auto` tries them: first those that serve it
 * fully (netadmin before privileged: the weaker one), then those that serve it in part (the shell
 * by chroot, or in kdiag's own filesystem; ps without the sockets of processes of another user).
 * redir and rules change or read the pod's netfilter rules: NET_ADMIN, so netadmin or more.
 */
export const commandProfiles: Record<InjectingCommand, readonly Profile[]> = {
  shell: ["netadmin", "privileged", "baseline", "restricted"],
  ps: ["netadmin", "privileged", "baseline", "restricted"],
  manage: ["netadmin", "privileged", "baseline", "restricted"],
  reach: ["netadmin", "privileged", "baseline", "restricted"],
  redir: ["netadmin", "privileged"],
  rules: ["netadmin", "privileged"],
};

/** What each profile gives, in one phrase (the note auto prints, doctor's table). */
export const profileSummaries: Record<Profile, string> = {
  privileged: "every command, fully",
  netadmin: "every command, fully",
  baseline: "the shell by chroot into the target's root as its user, ps; not redir or rules",
  restricted: "ps, and a shell in kdiag's own filesystem; not redir or rules",
};

/** Whether `profile` serves `command` at all. */
export function servesCommand(profile: Profile, command: InjectingCommand): boolean {
  return commandProfiles[command].includes(profile);
}

/** One line naming the profiles a command needs, e.g. "netadmin (or privileged)". */
export function describeNeededProfiles(command: InjectingCommand): string {
  const [weakest, ...others] = commandProfiles[command];
  return others.length === 0 ? `${weakest}` : `${weakest} (or ${others.join(", ")})`;
}

/** The target's user as the pod spec names it (container, else pod securityContext). */
export interface TargetUser {
  uid?: number;
  gid?: number;
}

export function readTargetUser(pod: V1Pod, target: string): TargetUser {
  const container = pod.spec?.containers.find((candidate) => candidate.name === target);
  const podContext = pod.spec?.securityContext;
  return {
    uid: container?.securityContext?.runAsUser ?? podContext?.runAsUser,
    gid: container?.securityContext?.runAsGroup ?? podContext?.runAsGroup,
  };
}

/** The uid the restricted profile runs as when the target's is root or not named: nobody. */
export const restrictedFallbackUid = 65534;

type SecurityContext = NonNullable<V1EphemeralContainer["securityContext"]>;

/**
 * The securityContext of kdiag's container for a profile. An ephemeral container inherits the
 * pod's runAsUser/runAsNonRoot unless it sets its own, so every profile says its user explicitly.
 */
export function buildSecurityContext(profile: Profile, user: TargetUser = {}): SecurityContext {
  const root = { runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, allowPrivilegeEscalation: true };
  switch (profile) {
    case "privileged":
      return { privileged: true, ...root };
    case "netadmin":
      return { privileged: false, ...root, capabilities: { add: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "SYS_CHROOT"] } };
    case "baseline":
      return buildBaselineContext(user);
    case "restricted":
      return buildRestrictedContext(user);
  }
}

/**
 * The target's own user: without CAP_SYS_PTRACE (which baseline does not admit) only the same uid
 * and gid may open /proc/<pid>/root. SYS_CHROOT reaches enter through its file capability, which
 * a non-root exec honours only without no_new_privs: allowPrivilegeEscalation stays true, as
 * baseline allows. A root target, or one whose user the spec does not name, gets root with the
 * runtime's default capabilities (baseline admits them): the kernel lets us open a process's root
 * only when we hold every capability it holds, and enter --chroot becomes the user
 * /proc/<pid>/status names (CAP_SETUID, CAP_SETGID, CAP_SETPCAP are among the defaults).
 */
function buildBaselineContext(user: TargetUser): SecurityContext {
  const uid = user.uid ?? 0;
  const group = user.gid === undefined ? {} : { runAsGroup: user.gid };
  if (uid === 0) return { privileged: false, runAsUser: 0, ...group, runAsNonRoot: false, allowPrivilegeEscalation: true, capabilities: { add: ["SYS_CHROOT"] } };
  return { privileged: false, runAsUser: uid, ...group, runAsNonRoot: true, allowPrivilegeEscalation: true, capabilities: { drop: ["ALL"], add: ["SYS_CHROOT"] } };
}

/** Non-root (the target's user where it is one, so its root is readable), no capability at all. */
function buildRestrictedContext(user: TargetUser): SecurityContext {
  const own = user.uid !== undefined && user.uid !== 0;
  const uid = own ? user.uid! : restrictedFallbackUid;
  const gid = own ? user.gid : restrictedFallbackUid;
  return {
    privileged: false,
    runAsUser: uid,
    ...(gid === undefined ? {} : { runAsGroup: gid }),
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}
