// `kubectl kdiag doctor` tells the truth: in a namespace where everything works, in one that
// enforces PodSecurity baseline (where auto picks the baseline profile), and for a view-only user,
// each command's verdict is what the command then actually does.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { nonRootPod, scratchPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { getEphemeralContainers, kdiag, startRedirInBackground } from "./kdiag-cli.ts";

let open: TestNamespace;
let baseline: TestNamespace;
let viewer: string;

before(async () => {
  await ensureCluster();
  [open, baseline] = await Promise.all([
    createNamespace("kdiag-e2e-doctor"),
    createNamespace("kdiag-e2e-doctor-baseline", { "pod-security.kubernetes.io/enforce": "baseline" }),
  ]);
  viewer = `system:serviceaccount:${open.name}:viewer`;
  await apply(open.name, [
    scratchPod({ name: "scratch" }),
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "viewer" } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "view-pods" },
      rules: [{ apiGroups: [""], resources: ["pods", "pods/log"], verbs: ["get", "list", "watch"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "viewer-views-pods" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "view-pods" },
      subjects: [{ kind: "ServiceAccount", name: "viewer", namespace: open.name }],
    },
  ]);
  // Pinned to the node the test images are on (a second node may join the cluster).
  const nonroot = nonRootPod({ name: "nonroot" }) as { spec: object };
  await apply(baseline.name, [{ ...nonroot, spec: { ...nonroot.spec, nodeName: "kdiag-node" } }]);
  await Promise.all([waitForPods(open.name, "app=scratch"), waitForPods(baseline.name, "app=nonroot")]);
});
after(async () => {
  await open?.cleanup();
  await baseline?.cleanup();
});

interface Report {
  user: { name: string };
  commands: Array<{ command: string; works: boolean; profile?: string; reasons: string[] }>;
  works: boolean;
}

async function doctor(args: string[]): Promise<{ report: Report; exitCode: number | undefined }> {
  const result = await kdiag(["doctor", ...args, "-o", "json"]);
  assert.equal(result.stderr, "", String(result.stderr));
  return { report: JSON.parse(String(result.stdout)) as Report, exitCode: result.exitCode };
}

const worksFor = (report: Report) => Object.fromEntries(report.commands.map((verdict) => [verdict.command, verdict.works]));

/** Runs each command as a user would and says whether it worked. */
async function tryCommands(namespace: string, pod: string, extra: string[] = []): Promise<Record<string, boolean>> {
  const selection = ["-n", namespace, "--pod", pod, ...extra];
  const shell = await kdiag(["shell", ...selection, "--", "-c", "true"]);
  const ps = await kdiag(["ps", ...selection]);
  let redir: boolean;
  try {
    await (await startRedirInBackground([...selection, "18080:9"])).stop();
    redir = true;
  } catch {
    redir = false;
  }
  const logs = await kdiag(["logs", ...selection, "-d", "1s", "--", "true"]);
  return { shell: shell.exitCode === 0, ps: ps.exitCode === 0, redir, logs: logs.exitCode === 0 };
}

test("where everything works, doctor says so for every command and exits 0 — and every command then works", async () => {
  const { report, exitCode } = await doctor(["-n", open.name, "--pod", "scratch"]);
  assert.equal(exitCode, 0, JSON.stringify(report));
  assert.deepEqual(worksFor(report), { shell: true, ps: true, redir: true, logs: true });
  assert.deepEqual(await tryCommands(open.name, "scratch"), worksFor(report));
});

test("under PodSecurity baseline, doctor says auto picks baseline for shell and ps and that redir needs netadmin, exits 1 — and the commands then do exactly that", async () => {
  const { report, exitCode } = await doctor(["-n", baseline.name, "--pod", "nonroot"]);
  assert.equal(exitCode, 1);
  assert.deepEqual(worksFor(report), { shell: true, ps: true, redir: false, logs: true });
  assert.deepEqual(
    report.commands.map((verdict) => [verdict.command, verdict.profile]),
    [["shell", "baseline"], ["ps", "baseline"], ["redir", undefined], ["logs", undefined]],
  );
  assert.match(report.commands[2]?.reasons.join(" ") ?? "", /^redir needs kdiag's profile netadmin \(or privileged\), which pod `nonroot` .* enforces PodSecurity `baseline`/);
  assert.deepEqual(await getEphemeralContainers(baseline.name, "nonroot"), [], "doctor adds nothing");
  assert.deepEqual(await tryCommands(baseline.name, "nonroot"), worksFor(report));
  const added = await getEphemeralContainers(baseline.name, "nonroot");
  assert.equal(added.length, 1, added.join(" "));
  assert.match(added[0] ?? "", /^kdiag-baseline-[0-9a-f]{10}$/, "shell and ps shared the baseline container; redir added nothing");
});

test("for a view-only user (--as), doctor names the missing permissions — and the commands then fail as it said", async () => {
  const { report, exitCode } = await doctor(["-n", open.name, "--pod", "scratch", "--as", viewer]);
  assert.equal(exitCode, 1);
  assert.equal(report.user.name, viewer);
  // The scratch pod's kdiag container from the first test is reused, so no new one is needed:
  // what the viewer lacks is exec (shell, ps, redir) and port-forward (ps, redir).
  assert.deepEqual(worksFor(report), { shell: false, ps: false, redir: false, logs: true });
  assert.match(report.commands[0]?.reasons.join(" ") ?? "", /not allowed to .*create pods\/exec/);
  assert.deepEqual(await tryCommands(open.name, "scratch", ["--as", viewer]), worksFor(report));
});
