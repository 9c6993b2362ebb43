// kdiag's profiles: the securityContext each asks for, which commands each serves, how --profile is
// read, and how auto chooses (reuse first, then dry runs in order).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1EphemeralContainer, V1Pod } from "@kubernetes/client-node";
import { toProfile } from "../../pkg/commands/pod-config.ts";
import { UsageError } from "../../pkg/errors.ts";
import { chooseProfile, describeRefusal } from "../../pkg/kube/choose-profile.ts";
import { getBaseContainerName, readContainerUid, type ManagerSpec } from "../../pkg/kube/ephemeral.ts";
import { buildSecurityContext, commandProfiles, readTargetUser, servesCommand } from "../../pkg/kube/profiles.ts";
import { chooseKdiagUid, kdiagUidBase, kdiagUidRange } from "../../pkg/kube/kdiag-uid.ts";
import { getCredentialPath } from "../../api/credential-path.ts";

const spec: Omit<ManagerSpec, "profile"> = { version: "1.2.3", target: "app", image: "kdiag/manager:v1.2.3", pullPolicy: "IfNotPresent", user: { uid: 1000, gid: 1000 } };

function pod(running: string[] = []): V1Pod {
  return {
    metadata: { name: "web-0" },
    spec: { containers: [{ name: "app" }], ephemeralContainers: running.map((name) => ({ name, image: spec.image })) },
    status: { ephemeralContainerStatuses: running.map((name) => ({ name, image: spec.image, imageID: "", ready: true, restartCount: 0, state: { running: {} } })) },
  };
}

const nameOf = (profile: ManagerSpec["profile"]) => getBaseContainerName({ ...spec, profile });

test("privileged and netadmin run as root; netadmin names its capabilities and is not privileged", () => {
  assert.deepEqual(buildSecurityContext("privileged"), { privileged: true, runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, allowPrivilegeEscalation: true });
  assert.deepEqual(buildSecurityContext("netadmin").capabilities, { add: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "SYS_CHROOT"] });
  assert.equal(buildSecurityContext("netadmin").privileged, false);
});

test("baseline runs as a uid of kdiag's own with SETUID, SETGID and SYS_CHROOT, privilege escalation allowed (enter's file capabilities)", () => {
  assert.deepEqual(buildSecurityContext("baseline", { uid: 1000, gid: 2000, kdiagUid: 2000012345 }), {
    privileged: false,
    runAsUser: 2000012345,
    runAsGroup: 2000012345,
    runAsNonRoot: true,
    allowPrivilegeEscalation: true,
    capabilities: { drop: ["ALL"], add: ["SETUID", "SETGID", "SYS_CHROOT"] },
  });
  assert.equal(buildSecurityContext("baseline", { uid: 1000 }).runAsUser, kdiagUidBase, "never the target's uid");
  // A root target (or one the spec does not name) keeps the runtime's defaults: the kernel opens
  // a process's root only for a caller holding every capability it holds.
  assert.deepEqual(buildSecurityContext("baseline", {}), {
    privileged: false,
    runAsUser: 0,
    runAsNonRoot: false,
    allowPrivilegeEscalation: true,
    capabilities: { add: ["SYS_CHROOT"] },
  });
});

test("kdiag's own uid: per pod, in its high range, the same for the same pod, and never a uid or gid the pod spec names", () => {
  const pod = (uid: string, spec: object = {}) => ({ metadata: { uid }, spec: { containers: [], ...spec } }) as unknown as V1Pod;
  const first = chooseKdiagUid(pod("8a6c0e52-1111-4d5e-9f00-000000000001"));
  assert.ok(first >= kdiagUidBase && first < kdiagUidBase + kdiagUidRange, String(first));
  assert.equal(chooseKdiagUid(pod("8a6c0e52-1111-4d5e-9f00-000000000001")), first);
  assert.notEqual(chooseKdiagUid(pod("8a6c0e52-1111-4d5e-9f00-000000000002")), first);
  const naming = (id: number) =>
    pod("8a6c0e52-1111-4d5e-9f00-000000000001", { securityContext: { supplementalGroups: [id] }, containers: [{ name: "app", securityContext: { runAsUser: id + 1 } }] });
  assert.equal(chooseKdiagUid(naming(first)), first + 2, "steps over every id the spec names");
  const withKdiag = pod("8a6c0e52-1111-4d5e-9f00-000000000001", { ephemeralContainers: [{ name: "kdiag-baseline-0123456789", securityContext: { runAsUser: first } }] });
  assert.equal(chooseKdiagUid(withKdiag), first, "kdiag's own container keeps the pod's uid");
  assert.equal(readTargetUser(pod("8a6c0e52-1111-4d5e-9f00-000000000001"), "app").kdiagUid, first);
});

test("restricted is non-root with no capability, no escalation and seccomp RuntimeDefault; a root target's shell runs as nobody", () => {
  const restricted = { privileged: false, runAsNonRoot: true, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } };
  assert.deepEqual(buildSecurityContext("restricted", { uid: 1000, gid: 1000 }), { ...restricted, runAsUser: 1000, runAsGroup: 1000 });
  assert.deepEqual(buildSecurityContext("restricted", { uid: 0 }), { ...restricted, runAsUser: 65534, runAsGroup: 65534 });
  assert.deepEqual(buildSecurityContext("restricted", {}), { ...restricted, runAsUser: 65534, runAsGroup: 65534 });
});

test("the target's user comes from its container's securityContext, else the pod's", () => {
  // kdiag's own uid beside it has its test above.
  const target = (container: object, podContext: object) => {
    const { uid, gid } = readTargetUser({ spec: { containers: [{ name: "app", securityContext: container }], securityContext: podContext } } as V1Pod, "app");
    return { uid, gid };
  };
  assert.deepEqual(target({}, { runAsUser: 1000, runAsGroup: 3000 }), { uid: 1000, gid: 3000 });
  assert.deepEqual(target({ runAsUser: 2000 }, { runAsUser: 1000 }), { uid: 2000, gid: undefined });
  assert.deepEqual(target({}, {}), { uid: undefined, gid: undefined });
});

test("container names say the profile; the manager's credential path follows the container's user", () => {
  assert.match(nameOf("privileged"), /^kdiag-[0-9a-f]{10}$/);
  for (const profile of ["netadmin", "baseline", "restricted"] as const) assert.match(nameOf(profile), new RegExp(`^kdiag-${profile}-[0-9a-f]{10}$`));
  const withUser = { spec: { containers: [], ephemeralContainers: [{ name: "kdiag-baseline-x", securityContext: { runAsUser: 1000 } }, { name: "kdiag-x" }] } } as unknown as V1Pod;
  assert.equal(getCredentialPath(readContainerUid(withUser, "kdiag-baseline-x")), "/tmp/kdiag-1000/credential.json");
  assert.equal(getCredentialPath(readContainerUid(withUser, "kdiag-x")), "/run/kdiag/credential.json");
});

test("redir and rules need NET_ADMIN: only netadmin and privileged serve them; everything serves the shell and ps", () => {
  assert.deepEqual(commandProfiles.redir, ["netadmin", "privileged"]);
  assert.deepEqual(commandProfiles.shell, ["netadmin", "privileged", "baseline", "restricted"]);
  assert.equal(servesCommand("baseline", "rules"), false);
  assert.equal(servesCommand("restricted", "ps"), true);
});

test("--profile is auto by default; a profile that cannot serve the command is a usage error in one line", () => {
  assert.equal(toProfile(undefined, "shell"), "auto");
  assert.equal(toProfile("Baseline", "shell"), "baseline");
  assert.throws(() => toProfile("baseline", "redir"), (error: unknown) => {
    assert.ok(error instanceof UsageError);
    assert.equal(error.message, "redir needs --profile netadmin (or privileged): baseline cannot change or read the pod's netfilter rules (NET_ADMIN)");
    return true;
  });
  assert.throws(() => toProfile("root", "ps"), { message: "--profile `root` is not a profile; use one of privileged, netadmin, baseline, restricted, auto" });
});

/** A dry run that admits only `admitted` profiles, refusing the others as PodSecurity would. */
function dryRunAdmitting(admitted: string[], tried: string[] = []) {
  return async (container: V1EphemeralContainer) => {
    const profile = /^kdiag-(netadmin|baseline|restricted)-/.exec(container.name)?.[1] ?? "privileged";
    tried.push(profile);
    if (!admitted.includes(profile)) throw new Error(`namespace enforces PodSecurity, which refuses kdiag's ${profile} container`);
  };
}

test("auto: the weakest profile that serves the command and is admitted, trying in order and stopping at the first", async () => {
  const tried: string[] = [];
  const choice = await chooseProfile({ pod: pod(), spec, command: "shell", dryRun: dryRunAdmitting(["baseline", "restricted"], tried) });
  assert.deepEqual(choice, { kind: "add", profile: "baseline", container: nameOf("baseline"), added: false });
  assert.deepEqual(tried, ["netadmin", "privileged", "baseline"]);
  const open = await chooseProfile({ pod: pod(), spec, command: "redir", dryRun: dryRunAdmitting(["privileged", "netadmin"]) });
  assert.deepEqual(open, { kind: "add", profile: "netadmin", container: nameOf("netadmin"), added: false });
});

test("auto, for a command that adds the container anyway: the first candidate's patch is the real one, the rest dry runs after its refusal", async () => {
  const added: string[] = [];
  const dryRuns: string[] = [];
  const admitted = await chooseProfile({ pod: pod(), spec, command: "shell", dryRun: dryRunAdmitting(["netadmin"], dryRuns), add: dryRunAdmitting(["netadmin"], added) });
  assert.deepEqual(admitted, { kind: "add", profile: "netadmin", container: nameOf("netadmin"), added: true });
  assert.deepEqual([added, dryRuns], [["netadmin"], []]);
  const refusedFirst = await chooseProfile({ pod: pod(), spec, command: "shell", dryRun: dryRunAdmitting(["baseline"], dryRuns), add: dryRunAdmitting(["baseline"], added) });
  assert.deepEqual(refusedFirst, { kind: "add", profile: "baseline", container: nameOf("baseline"), added: false });
  assert.deepEqual([added, dryRuns], [["netadmin", "netadmin"], ["privileged", "baseline"]]);
});

test("auto: a running container whose profile serves the command is reused without any dry run", async () => {
  const tried: string[] = [];
  const choice = await chooseProfile({ pod: pod([nameOf("baseline")]), spec, command: "ps", dryRun: dryRunAdmitting([], tried) });
  assert.deepEqual(choice, { kind: "reuse", profile: "baseline", container: nameOf("baseline") });
  assert.deepEqual(tried, []);
  // redir is not served by baseline: that container is not reused, and the dry runs decide.
  const redir = await chooseProfile({ pod: pod([nameOf("baseline")]), spec, command: "redir", dryRun: dryRunAdmitting([], tried) });
  assert.equal(redir.kind, "refused");
  assert.deepEqual(tried, ["netadmin", "privileged"]);
});

test("auto: when nothing is admitted, one line names what the command needs; the same refusal for all is passed on as it is", async () => {
  const choice = await chooseProfile({ pod: pod(), spec, command: "redir", dryRun: dryRunAdmitting([]) });
  assert.equal(choice.kind, "refused");
  if (choice.kind !== "refused") return;
  const error = describeRefusal("redir", { pod: "web-0", namespace: "shop" }, choice.refusals) as Error;
  assert.equal(
    error.message,
    "redir needs kdiag's profile netadmin (or privileged), which pod `web-0` in namespace `shop` does not admit: namespace enforces PodSecurity, which refuses kdiag's netadmin container",
  );
  const forbidden = new Error("user `bob` is not allowed to patch pods/ephemeralcontainers");
  const same = await chooseProfile({ pod: pod(), spec, command: "shell", dryRun: async () => Promise.reject(forbidden) });
  assert.equal(same.kind === "refused" && describeRefusal("shell", { pod: "web-0", namespace: "shop" }, same.refusals), forbidden);
});
