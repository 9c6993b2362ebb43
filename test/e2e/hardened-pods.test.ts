// kdiag on pods shaped as people run them: runAsNonRoot with uid 1000 at pod level (kdiag's
// container sets its own user, root with the netadmin profile's capabilities — auto's choice in a
// namespace that admits it — so the shell, ps and redir work there);
// one pid namespace shared by the pod's containers (PID 1 is the pause container, so the shell
// finds its target by container ID); a pod whose PID 1 is an init that starts the real server as
// its child; and a target that is not running.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { busyboxPod, nonRootPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, kdiag, netadminSecurityContext, startRedirInBackground } from "./kdiag-cli.ts";
import { startLocalServer } from "./local-server.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-hardened");
  const sleeper = busyboxPod({ name: "crashing" }) as { spec: { containers: Array<{ name: string; command: string[] }> } };
  const [ok] = sleeper.spec.containers;
  // Each container writes its own name into its own root.
  const marked = (name: string) => ({ ...ok, name, command: ["sh", "-c", `echo ${name} > /marker; trap 'exit 0' TERM; while :; do sleep 1; done`] });
  await apply(ns.name, [
    nonRootPod({ name: "nonroot" }),
    { ...sleeper, metadata: { name: "shared", labels: { app: "shared" } }, spec: { ...sleeper.spec, shareProcessNamespace: true, containers: [marked("side"), marked("web")] } },
    // PID 1 is a shell acting as init; the server (busybox httpd) is its child.
    busyboxPod({ name: "init", labels: { app: "init" }, command: "echo init-pod > /marker; httpd -f -p 8080 -h / & wait" }),
    // A healthy first container (kdiag's manager needs a running pod) and a crashing second one.
    { ...sleeper, spec: { ...sleeper.spec, containers: [ok, { ...ok, name: "crasher", command: ["sh", "-c", "exit 3"] }] } },
  ]);
  await waitForPods(ns.name, "app=nonroot");
  await waitForPods(ns.name, "app=shared");
  await waitForPods(ns.name, "app=init");
});
after(async () => ns?.cleanup());

test("in a runAsNonRoot pod, kdiag's container runs as root with its capabilities: the shell enters the server's root", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "nonroot", "--", "-c", "ls /; grep ^Uid /proc/1/status"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /^server$/m);
  assert.match(String(result.stdout), /^Uid:\t1000\t1000\t1000\t1000$/m);
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "nonroot", "-o", "jsonpath={.spec.ephemeralContainers[0].securityContext}"]);
  assert.deepEqual(JSON.parse(stdout), netadminSecurityContext);
});

test("in a runAsNonRoot pod, ps lists the server and redir takes its port", async () => {
  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "nonroot"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +server +\S*:8080\/tcp6? +\/server 8080$/m);

  const local = await startLocalServer();
  const redir = await startRedirInBackground(["-n", ns.name, "--pod", "nonroot", `8080:${local.port}`]);
  try {
    assert.equal(await get(await podIP(ns.name, "nonroot"), "/through-redir"), "hello from local\n");
    assert.deepEqual(local.requests, ["/through-redir"]);
  } finally {
    await redir.stop();
    await local.close();
  }
});

test("in a pod that shares one pid namespace, -t side and -t web each enter their own container's root, not the pause container's", async () => {
  for (const container of ["side", "web"]) {
    const result = await kdiag(["shell", "-n", ns.name, "--pod", "shared", "-t", container, "--", "-c", "cat /marker; ls /; cat /proc/1/cmdline"]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    const [marker, ...rest] = String(result.stdout).split("\n");
    assert.equal(marker, container, String(result.stdout));
    assert.doesNotMatch(rest.join("\n"), /^pause$/m);
    // PID 1 of the shared namespace is the pause container: the shell did not land there.
    assert.match(rest.join("\n"), /\/pause/);
  }
});

test("in a pod whose PID 1 is an init, the shell sees the server's root and ps shows the server as the init's child", async () => {
  const shell = await kdiag(["shell", "-n", ns.name, "--pod", "init", "--", "-c", "cat /marker; ls /"]);
  assert.equal(shell.exitCode, 0, String(shell.stderr));
  assert.match(String(shell.stdout), /^init-pod\n/);
  assert.match(String(shell.stdout), /^bin$/m);
  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "init"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +sh +- +sh -c echo init-pod/m);
  assert.match(String(ps.stdout), /^\d+ +1 +httpd +\S*:8080\/tcp6? +httpd -f -p 8080 -h \/$/m);
});

test("a target container that is not running is one line within seconds, naming why", async () => {
  const deadline = Date.now() + 60_000;
  // Wait until the kubelet has restarted it at least once (CrashLoopBackOff or between runs).
  for (;;) {
    const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "crashing", "-o", 'jsonpath={.status.containerStatuses[?(@.name=="crasher")].restartCount}']);
    if (Number(stdout) >= 1) break;
    assert.ok(Date.now() < deadline, "the crasher never restarted");
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  const started = Date.now();
  let result = await kdiag(["shell", "-n", ns.name, "--pod", "crashing", "-t", "crasher", "--", "-c", "true"]);
  // Between two of its runs the container may be up for an instant: then ask again.
  for (let tries = 0; result.exitCode === 0 && tries < 5; tries++) {
    result = await kdiag(["shell", "-n", ns.name, "--pod", "crashing", "-t", "crasher", "--", "-c", "true"]);
  }
  assert.equal(result.exitCode, 1, String(result.stderr));
  assert.match(String(result.stderr), /^kdiag: container `crasher` in pod `crashing` is not running \(.+\); enter it at its next start with --wait, or see why with `kubectl logs crashing -c crasher --previous`$/m);
  assert.equal(errorLines(result.stderr).length, 1, String(result.stderr));
  assert.ok(Date.now() - started < 30_000);
});

/** An HTTP/1.0 GET from this machine; the body. */
function get(host: string, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port: 8080 }, () => socket.write(`GET ${path} HTTP/1.0\r\n\r\n`));
    let text = "";
    socket.on("data", (chunk: Buffer) => (text += chunk.toString()));
    socket.on("end", () => resolve(text.slice(text.indexOf("\r\n\r\n") + 4)));
    socket.on("error", reject);
  });
}
