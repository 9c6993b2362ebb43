// `kubectl kdiag logs` on the project's cluster: every server pod followed around a local command,
// no line it causes lost, the command's exit code passed through, late pods followed too.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { serverPod, serverPods, serverPort } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectlPath, kubeconfigPath, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;
const ips: Record<string, string> = {};

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-logs");
  await apply(ns.name, serverPods());
  await waitForPods(ns.name, "app=server");
  for (const pod of ["server-1", "server-2"]) ips[pod] = await podIP(ns.name, pod);
});
after(async () => ns?.cleanup());

/** A local command (node) that asks each URL once, in order, then exits with `exitCode`. */
function askEach(urls: string[], exitCode: number): string[] {
  const script = `for (const url of ${JSON.stringify(urls)}) await (await fetch(url)).text(); process.exit(${exitCode});`;
  return [process.execPath, "--input-type=module", "-e", script];
}

for (const exitCode of [0, 3]) {
  test(`a request to each server pod shows up once under its pod/container prefix, and logs exits ${exitCode} as the command did`, async () => {
    const id = randomBytes(4).toString("hex");
    const urls = ["server-1", "server-2"].map((pod) => `http://${ips[pod]}:${serverPort}/${id}-${pod}`);
    const result = await kdiag(["logs", "-n", ns.name, "-l", "app=server", "--drain", "2s", "--", ...askEach(urls, exitCode)]);
    assert.equal(result.exitCode, exitCode, String(result.stderr));
    const lines = String(result.stdout).split("\n");
    for (const pod of ["server-1", "server-2"]) {
      const mine = lines.filter((line) => line.endsWith(` GET /${id}-${pod}`));
      assert.equal(mine.length, 1, `one line for ${pod} in:\n${result.stdout}`);
      assert.match(mine[0] ?? "", new RegExp(`^${pod}/server \\d+\\.\\d+\\.\\d+\\.\\d+:\\d+ GET /${id}-${pod}$`));
    }
    // Only what happened since the start: the servers' start-up lines are older.
    assert.ok(!lines.some((line) => line.includes("listening on")), String(result.stdout));
  });
}

test("-o json writes one object per line with the pod, container, line and time", async () => {
  const id = randomBytes(4).toString("hex");
  const url = `http://${ips["server-1"]}:${serverPort}/${id}`;
  const result = await kdiag(["logs", "-n", ns.name, "--pod", "server-1:server", "-o", "json", "-d", "1s", "--", ...askEach([url], 0)]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const objects = String(result.stdout)
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Record<string, string>);
  const mine = objects.find((object) => object.line?.endsWith(`GET /${id}`));
  assert.ok(mine, String(result.stdout));
  assert.equal(mine.pod, "server-1");
  assert.equal(mine.container, "server");
  assert.match(mine.time ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
});

test("a pod that starts matching while the command runs is followed too", async () => {
  const id = randomBytes(4).toString("hex");
  const manifest = JSON.stringify(serverPod({ name: "server-late", labels: { tier: id } }));
  // The command creates the pod, waits for it and asks it once.
  const script = [
    `const { execFileSync } = await import("node:child_process");`,
    `const kubectl = (...args) => execFileSync(${JSON.stringify(kubectlPath)}, ["--kubeconfig", ${JSON.stringify(kubeconfigPath)}, "-n", ${JSON.stringify(ns.name)}, ...args], { input: ${JSON.stringify(manifest)}, encoding: "utf8" });`,
    `kubectl("apply", "-f", "-");`,
    `kubectl("wait", "--for=condition=Ready", "pod/server-late", "--timeout=60s");`,
    `const ip = kubectl("get", "pod", "server-late", "-o", "jsonpath={.status.podIP}");`,
    `await (await fetch("http://" + ip + ":${serverPort}/${id}")).text();`,
  ].join("\n");
  const result = await kdiag(["logs", "-n", ns.name, "-l", `app=server,tier=${id}`, "-d", "2s", "--", process.execPath, "--input-type=module", "-e", script]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stderr), new RegExp(`no running pod matches -l \`app=server,tier=${id}\``));
  const lines = String(result.stdout).split("\n");
  assert.ok(lines.includes("server-late/server listening on :8080"), String(result.stdout));
  assert.ok(lines.some((line) => /^server-late\/server \S+ GET \//.test(line) && line.endsWith(`/${id}`)), String(result.stdout));
});

test("a followed pod that is deleted while the command runs is reported on stderr", async () => {
  const id = randomBytes(4).toString("hex");
  await apply(ns.name, [serverPod({ name: "server-doomed", labels: { tier: id } })]);
  await waitForPods(ns.name, "pod/server-doomed");
  const result = await kdiag([
    "logs", "-n", ns.name, "-l", `tier=${id}`, "-d", "1s", "--",
    kubectlPath, "--kubeconfig", kubeconfigPath, "-n", ns.name, "delete", "pod", "server-doomed", "--wait=true",
  ]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stderr), /^kdiag: pod server-doomed ended \(deleted\)$/m);
});

test("when I may list pods but not watch them, logs says so once, in one translated line, and goes on following the pods it has", async () => {
  // A ServiceAccount that may read pods and their logs, but not watch pods.
  const user = `system:serviceaccount:${ns.name}:no-watch`;
  await apply(ns.name, [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "no-watch" } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "no-watch" },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "no-watch" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "no-watch" },
      subjects: [{ kind: "ServiceAccount", name: "no-watch", namespace: ns.name }],
    },
  ]);
  const id = randomBytes(4).toString("hex");
  const url = `http://${ips["server-1"]}:${serverPort}/${id}`;
  // Several retries fit in the 4 s the command takes (1 s, then 2 s pauses).
  const command = [process.execPath, "--input-type=module", "-e", `await (await fetch(${JSON.stringify(url)})).text(); await new Promise((r) => setTimeout(r, 4000));`];
  const result = await kdiag(["logs", "-n", ns.name, "--as", user, "-l", "app=server", "-d", "1s", "--", ...command]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const warnings = String(result.stderr).split("\n").filter((line) => line.startsWith("kdiag: warning:"));
  assert.deepEqual(warnings, [
    `kdiag: warning: cannot follow the pods matching -l \`app=server\` as they come and go: you are not allowed to watch pods in namespace \`${ns.name}\`; ask a cluster admin for \`watch\` on \`pods\`; retrying`,
  ]);
  assert.ok(String(result.stdout).split("\n").some((line) => line.startsWith("server-1/server ") && line.endsWith(`GET /${id}`)), String(result.stdout));
});

test("--quiet silences logs' notes but not its warnings", async () => {
  const id = randomBytes(4).toString("hex");
  const result = await kdiag(["logs", "-n", ns.name, "-q", "-l", `app=server,tier=${id}`, "-d", "0s", "--", "true"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(String(result.stderr), "");
  const loud = await kdiag(["logs", "-n", ns.name, "-l", `app=server,tier=${id}`, "-d", "0s", "--", "true"]);
  assert.match(String(loud.stderr), new RegExp(`^kdiag: no running pod matches -l \`app=server,tier=${id}\``, "m"));
});
