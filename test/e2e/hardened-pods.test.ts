// kdiag on pods hardened as people run them: runAsNonRoot with uid 1000 at pod level. kdiag's
// container sets its own user (root, privileged), so the shell, ps and redir all work there
// instead of failing for want of capabilities.
import assert from "node:assert/strict";
import net from "node:net";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { nonRootPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag, userEnv } from "./kdiag-cli.ts";
import { startLocalServer } from "./local-server.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-hardened");
  await apply(ns.name, [nonRootPod({ name: "nonroot" })]);
  await waitForPods(ns.name, "app=nonroot");
});
after(async () => ns?.cleanup());

test("in a runAsNonRoot pod, kdiag's container runs as root with its capabilities: the shell enters the server's root", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "nonroot", "--", "-c", "ls /; grep ^Uid /proc/1/status"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /^server$/m);
  assert.match(String(result.stdout), /^Uid:\t1000\t1000\t1000\t1000$/m);
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "nonroot", "-o", "jsonpath={.spec.ephemeralContainers[0].securityContext}"]);
  assert.deepEqual(JSON.parse(stdout), { allowPrivilegeEscalation: true, privileged: true, runAsGroup: 0, runAsNonRoot: false, runAsUser: 0 });
});

test("in a runAsNonRoot pod, ps lists the server and redir takes its port", async () => {
  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "nonroot"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +server +\S*:8080\/tcp6? +\/server 8080$/m);

  const local = await startLocalServer();
  const redir = execa("kubectl", ["kdiag", "redir", "-n", ns.name, "--pod", "nonroot", `8080:${local.port}`], { env: userEnv, reject: false, stdin: "ignore" });
  try {
    let output = "";
    redir.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes("redirecting")) {
      assert.ok(Date.now() < deadline && redir.exitCode === null, `redir did not start: ${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.equal(await get(await podIP(ns.name, "nonroot"), "/through-redir"), "hello from local\n");
    assert.deepEqual(local.requests, ["/through-redir"]);
  } finally {
    redir.kill("SIGINT");
    assert.equal((await redir).exitCode, 0);
    await local.close();
  }
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
