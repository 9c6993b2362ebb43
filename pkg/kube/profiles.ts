// kdiag's profiles: what its container may do (the securityContext each one asks for) and which
// profiles serve which command. Pure (only client-node *types*); unit-tested.

import type { V1EphemeralContainer, V1Pod } from "@kubernetes/client-node";
import { chooseKdiagUid, kdiagUidBase } from "./kdiag-uid.ts";

/**
 * What kdiag's container may do, most to least:
 * - privileged: everything, on every runtime;
 * - netadmin: root with the capabilities redirects (NET_ADMIN, NET_RAW) and the full shell
 *   (joining namespaces: SYS_ADMIN, SYS_PTRACE, SYS_CHROOT) need, not privileged;
 * - baseline: what PodSecurity `baseline` admits: a uid of kdiag's own with SETUID, SETGID and
 *   SYS_CHROOT, so the shell becomes the target's user and chroots into its root (enter --chroot)
 *   while the target cannot reach the manager; no redirects;
 * - restricted: what `restricted` admits: non-root, no capability, seccomp RuntimeDefault; the
 *   shell runs in kdiag's own filesystem (enter --own-root); ps works. The target's own uid (to
 *   read its root), so processes of that uid can reach the manager.
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
  restricted: "ps, and a shell in kdiag's own filesystem; not redir or rules; processes of kdiag's uid (the target's, or 65534) in the pod can read and drive its manager",
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
  /** The uid and gid of kdiag's own that baseline runs as (kdiag-uid.ts); none: the target's. */
  kdiagUid?: number;
}

export function readTargetUser(pod: V1Pod, target: string): TargetUser {
  const container = pod.spec?.containers.find((candidate) => candidate.name === target);
  const podContext = pod.spec?.securityContext;
  return {
    uid: container?.securityContext?.runAsUser ?? podContext?.runAsUser,
    gid: container?.securityContext?.runAsGroup ?? podContext?.runAsGroup,
    kdiagUid: chooseKdiagUid(pod),
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
 * A uid of kdiag's own (kdiag-uid.ts), never the target's: the target cannot read or trace a
 * process of another uid, so the manager and its credential are out of its reach. enter carries
 * the file capabilities cap_setuid,cap_setgid,cap_sys_chroot=p (a non-root process gets nothing
 * from `add` but its bounding set; a file capability needs allowPrivilegeEscalation, which
 * baseline allows): enter --chroot becomes the target's user, as /proc/<pid>/status names it, so
 * that the kernel hands it the target's root without CAP_SYS_PTRACE (which baseline does not
 * admit), chroots, and drops every capability.
 * A root target, or one whose user the spec does not name, gets root with the runtime's default
 * capabilities (baseline admits them) plus SYS_CHROOT: the kernel lets us open a process's root
 * only when we hold every capability it holds. enter --chroot becomes the user /proc/<pid>/status
 * names, or for a root target stays root with no more capabilities than the target has. A target
 * reaches that manager only as root holding every capability it holds (SYS_CHROOT included).
 */
function buildBaselineContext(user: TargetUser): SecurityContext {
  const uid = user.uid ?? 0;
  if (uid === 0) {
    const group = user.gid === undefined ? {} : { runAsGroup: user.gid };
    return { privileged: false, runAsUser: 0, ...group, runAsNonRoot: false, allowPrivilegeEscalation: true, capabilities: { add: ["SYS_CHROOT"] } };
  }
  const own = user.kdiagUid ?? kdiagUidBase;
  return {
    privileged: false,
    runAsUser: own,
    runAsGroup: own,
    runAsNonRoot: true,
    allowPrivilegeEscalation: true,
    capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID", "SYS_CHROOT"] },
  };
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
