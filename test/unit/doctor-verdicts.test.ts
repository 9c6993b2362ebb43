// doctor's judgement from facts shaped as the API returns them: each command's verdict and the
// sentence that says why not and what to ask for.
import assert from "node:assert/strict";
import { test } from "node:test";
import { formatDoctorJson, formatDoctorTable } from "../../pkg/commands/doctor/format.ts";
import { injectionFromLabels, judge, kernelAtLeast, permissions, type DoctorFacts } from "../../pkg/commands/doctor/verdicts.ts";

const allowed = Object.fromEntries(permissions.map((permission) => [permission, true]));

function facts(overrides: Partial<DoctorFacts> = {}): DoctorFacts {
  return {
    namespace: "shop",
    user: { name: "alice", groups: ["system:authenticated"] },
    server: { version: "v1.34.4" },
    access: { ...allowed },
    podSecurity: {},
    pod: { name: "web-1", hostNetwork: false, target: "web", targetState: "running", targetUser: 1000, kdiagContainers: [] },
    injections: {
      shell: { kind: "admitted", container: "kdiag-netadmin-0123456789", profile: "netadmin", how: "dry-run" },
      ps: { kind: "admitted", container: "kdiag-netadmin-0123456789", profile: "netadmin", how: "dry-run" },
      redir: { kind: "admitted", container: "kdiag-netadmin-0123456789", profile: "netadmin", how: "dry-run" },
    },
    kernel: { version: "6.1.0-18-amd64" },
    ...overrides,
  };
}

const verdictOf = (found: DoctorFacts, command: string) => judge(found).find((verdict) => verdict.command === command);

test("where everything is allowed and admitted, every command works", () => {
  assert.deepEqual(
    judge(facts()).map((verdict) => [verdict.command, verdict.works]),
    [["shell", true], ["ps", true], ["redir", true], ["logs", true]],
  );
});

test("a view-only user: the commands that add a container name exactly what is missing; logs works", () => {
  const found = facts({ access: { ...allowed, "patch pods/ephemeralcontainers": false, "create pods/exec": false, "create pods/portforward": false } });
  assert.deepEqual(verdictOf(found, "shell")?.reasons, [
    "not allowed to patch pods/ephemeralcontainers, create pods/exec in namespace `shop`; ask a cluster admin for them",
  ]);
  assert.deepEqual(verdictOf(found, "redir")?.reasons, [
    "not allowed to patch pods/ephemeralcontainers, create pods/exec, create pods/portforward in namespace `shop`; ask a cluster admin for them",
  ]);
  assert.equal(verdictOf(found, "logs")?.works, true);
});

test("a running kdiag container is reused, so adding one is not needed", () => {
  const found = facts({ access: { ...allowed, "patch pods/ephemeralcontainers": false }, injections: { shell: { kind: "reuse", container: "kdiag-0123456789", profile: "privileged" } } });
  assert.equal(verdictOf(found, "shell")?.works, true);
});

test("a refused dry run stops every command that adds a container, with the admission's sentence", () => {
  const reason = "namespace `shop` enforces PodSecurity `baseline` (latest), which refuses kdiag's privileged container; …";
  const found = facts({ injections: { shell: { kind: "refused", reason }, ps: { kind: "refused", reason }, redir: { kind: "refused", reason } } });
  assert.deepEqual(
    judge(found).map((verdict) => [verdict.command, verdict.works, verdict.reasons]),
    [["shell", false, [reason]], ["ps", false, [reason]], ["redir", false, [reason]], ["logs", true, []]],
  );
});

test("without a pod, the namespace's enforce label is what there is to go on", () => {
  assert.deepEqual(injectionFromLabels({ enforce: "privileged" }, "shop", "redir"), { kind: "admitted", profile: "netadmin", how: "namespace-label" });
  assert.deepEqual(injectionFromLabels({}, "shop", "shell"), { kind: "admitted", profile: "netadmin", how: "namespace-label" });
  assert.deepEqual(injectionFromLabels({ enforce: "baseline" }, "shop", "shell"), { kind: "admitted", profile: "baseline", how: "namespace-label" });
  assert.deepEqual(injectionFromLabels({ enforce: "restricted", warn: "restricted" }, "shop", "ps"), { kind: "admitted", profile: "restricted", how: "namespace-label" });
  assert.deepEqual(injectionFromLabels({ enforce: "baseline" }, "shop", "redir"), {
    kind: "refused",
    reason:
      "redir needs kdiag's profile netadmin (or privileged), which namespace `shop` (PodSecurity enforce=baseline) does not admit; debug in a namespace labelled pod-security.kubernetes.io/enforce=privileged, or ask an admin to relabel this one",
  });
  assert.equal(injectionFromLabels(undefined, "shop", "shell").kind, "unknown");
});

test("a target that is not running, a hostNetwork pod, an old kernel and an old cluster each say so", () => {
  const notRunning = facts({ pod: { ...facts().pod!, targetState: "CrashLoopBackOff" } });
  assert.match(verdictOf(notRunning, "shell")?.reasons[0] ?? "", /is not running \(CrashLoopBackOff\); shell --wait enters when it runs$/);
  const hostNetwork = facts({ pod: { ...facts().pod!, hostNetwork: true } });
  assert.equal(verdictOf(hostNetwork, "shell")?.works, true);
  assert.match(verdictOf(hostNetwork, "redir")?.reasons[0] ?? "", /--redirect-node-traffic/);
  const oldKernel = facts({ kernel: { version: "4.19.0-25-amd64" } });
  assert.equal(verdictOf(oldKernel, "shell")?.works, false);
  assert.equal(verdictOf(oldKernel, "ps")?.works, true);
  assert.equal(verdictOf(facts({ server: { version: "v1.24.17" } }), "logs")?.works, false);
  assert.equal(kernelAtLeast("5.3.0", [5, 3]), true);
  assert.equal(kernelAtLeast("5.2.21", [5, 3]), false);
});

test("the table shows the facts, then one row per command; text from the cluster is escaped", () => {
  const found = facts({ pod: { ...facts().pod!, kdiagContainers: [{ name: "kdiag-0123456789", state: "Error\x1b[2J" }] } });
  const table = formatDoctorTable(found, judge(found));
  assert.match(table, /^namespace +shop, PodSecurity enforce=- warn=- audit=-$/m);
  assert.match(table, /^kdiag containers +kdiag-0123456789 Error\\e\[2J$/m);
  assert.match(table, /^COMMAND +WORKS +WHY NOT, AND WHAT TO ASK FOR$/m);
  assert.match(table, /^shell +yes$/m);
  assert.doesNotMatch(table, /\x1b/);
});

test("the JSON document carries the facts and the verdicts, with terminal controls escaped", () => {
  const found = facts({ user: { name: "mallory\u009b2J", groups: [] } });
  const text = formatDoctorJson(found, judge(found));
  assert.doesNotMatch(text, /\u009b/);
  const document = JSON.parse(text);
  assert.equal(document.user.name, "mallory\u009b2J");
  assert.equal(document.works, true);
  assert.deepEqual(document.commands.map((verdict: { command: string }) => verdict.command), ["shell", "ps", "redir", "logs"]);
});

test("under baseline, the verdicts carry the profile auto would pick, and the table says what it gives", () => {
  const reason = "redir needs kdiag's profile netadmin (or privileged), which pod `web-1` in namespace `shop` does not admit: …";
  const admitted = { kind: "admitted", container: "kdiag-baseline-0123456789", profile: "baseline", how: "dry-run" } as const;
  const found = facts({ podSecurity: { enforce: "baseline" }, injections: { shell: admitted, ps: admitted, redir: { kind: "refused", reason } } });
  assert.deepEqual(
    judge(found).map((verdict) => [verdict.command, verdict.works, verdict.profile]),
    [["shell", true, "baseline"], ["ps", true, "baseline"], ["redir", false, undefined], ["logs", true, undefined]],
  );
  const table = formatDoctorTable(found, judge(found));
  assert.match(table, /^auto for shell +profile baseline: kdiag-baseline-0123456789 would be admitted \(server-side dry run\)$/m);
  assert.match(table, /^shell +yes +with profile baseline: the shell by chroot into the target's root as its user, ps; not redir or rules$/m);
  assert.match(table, /^redir +no +redir needs kdiag's profile netadmin/m);
});
