// Bad input on the project's cluster: each is one `kdiag:` line, a non-zero exit, and leaves the
// pod as it was (except the unpullable image, which can only fail once it was added).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { scratchPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, getEphemeralContainers, kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;
let baseline: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-errors");
  baseline = await createNamespace("kdiag-e2e-baseline", { "pod-security.kubernetes.io/enforce": "baseline" });
  await apply(ns.name, [scratchPod({ name: "web", labels: { app: "web" } }), scratchPod({ name: "pull", labels: { app: "pull" } })]);
  await apply(baseline.name, [scratchPod({ name: "web", labels: { app: "web" } })]);
  await Promise.all([waitForPods(ns.name, "app=web"), waitForPods(ns.name, "app=pull"), waitForPods(baseline.name, "app=web")]);
  await kubectl(["create", "serviceaccount", "viewer", "-n", ns.name]);
  await kubectl(["create", "rolebinding", "viewer-view", "-n", ns.name, "--clusterrole=view", `--serviceaccount=${ns.name}:viewer`]);
});
after(async () => Promise.all([ns?.cleanup(), baseline?.cleanup()]));

async function expectOneLine(args: string[], message: string | RegExp, env: Record<string, string> = {}) {
  const result = await kdiag(args, { env });
  assert.notEqual(result.exitCode, 0);
  const lines = errorLines(result.stderr);
  assert.equal(lines.length, 1, String(result.stderr));
  const [line] = lines;
  if (typeof message === "string") assert.equal(line, `kdiag: ${message}`);
  else assert.match(line ?? "", message);
  return result;
}

async function assertPodUnchanged(namespace = ns.name, pod = "web") {
  assert.deepEqual(await getEphemeralContainers(namespace, pod), [], "nothing was added to the pod");
}

test("no kubeconfig", async () => {
  const result = await expectOneLine(
    ["shell", "-l", "app=web"],
    "no kubeconfig: none of the files in KUBECONFIG (`/nonexistent/kubeconfig`) exists; fix KUBECONFIG or pass --kubeconfig",
    { KUBECONFIG: "/nonexistent/kubeconfig" },
  );
  assert.equal(result.stderr, errorLines(result.stderr)[0], "a runtime error prints no usage");
});

test("an unknown context lists the contexts there are", async () => {
  await expectOneLine(["shell", "--context", "nope", "-n", ns.name, "-l", "app=web"], /^kdiag: context `nope` \(from --context\) is not in KUBECONFIG \(`.*`\); its contexts: .+$/);
});

test("a namespace that does not exist", async () => {
  await expectOneLine(["shell", "-n", "kdiag-no-such-namespace", "-l", "app=web"], "namespace `kdiag-no-such-namespace` does not exist; pass -n with an existing namespace");
});

test("a selector that matches nothing", async () => {
  await expectOneLine(["shell", "-n", ns.name, "-l", "app=nothing"], `no pod matches -l \`app=nothing\` in namespace \`${ns.name}\``);
});

test("--pod together with -l is a usage error", async () => {
  const result = await expectOneLine(["shell", "-n", ns.name, "--pod", "web", "-l", "app=web"], "--pod and -l cannot be used together; choose one");
  assert.equal(result.exitCode, 2);
  assert.equal(result.stderr, "kdiag: --pod and -l cannot be used together; choose one\nSee 'kubectl kdiag shell --help' for usage.");
  await assertPodUnchanged();
});

test("an unknown -t lists the pod's containers", async () => {
  await expectOneLine(["shell", "-n", ns.name, "--pod", "web", "-t", "nope"], "container `nope` (from -t) is not in pod `web`; its containers: server");
  await assertPodUnchanged();
});

test("an image that cannot be pulled is reported within 30 s with the kubelet's reason", async () => {
  const started = Date.now();
  await expectOneLine(
    ["shell", "-n", ns.name, "--pod", "pull", "--profile", "privileged", "--image", "kdiag-test/no-such-image:v1", "--pull-policy", "Never", "--", "-c", "true"],
    /^kdiag: kdiag's container `kdiag-[0-9a-f]{10}` cannot start, image `kdiag-test\/no-such-image:v1` (ErrImageNeverPull|ErrImagePull|ImagePullBackOff): .+; pass --image with an image the node can pull$/,
  );
  assert.ok(Date.now() - started < 30_000, `took ${Date.now() - started} ms`);
});

test("a user without patch on pods/ephemeralcontainers is told the exact permission", async () => {
  await expectOneLine(
    ["shell", "-n", ns.name, "--pod", "web", "--as", `system:serviceaccount:${ns.name}:viewer`],
    `user \`system:serviceaccount:${ns.name}:viewer\` is not allowed to patch pods/ephemeralcontainers in namespace \`${ns.name}\` (pod \`web\`); ask a cluster admin for \`patch\` on \`pods/ephemeralcontainers\``,
  );
  await assertPodUnchanged();
});

test("a namespace enforcing PodSecurity baseline refuses --profile privileged, and says so", async () => {
  await expectOneLine(
    ["shell", "-n", baseline.name, "-l", "app=web", "--profile", "privileged"],
    `namespace \`${baseline.name}\` enforces PodSecurity \`baseline\` (latest), which refuses kdiag's privileged container; --profile auto picks one it admits, or debug in a namespace labelled pod-security.kubernetes.io/enforce=privileged`,
  );
  await assertPodUnchanged(baseline.name);
});
