// --profile netadmin in a namespace that admits privileged containers: kdiag's container is not
// privileged — root with only the capabilities redirects and the shell need — and redir, the shell
// and ps all work with it. (The baseline and restricted profiles: pod-security-profiles.test.ts.)
import assert from "node:assert/strict";
import http from "node:http";
import { after, before, test } from "node:test";
import { scratchPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag, netadminSecurityContext, startRedirInBackground } from "./kdiag-cli.ts";
import { startLocalServer } from "./local-server.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-profiles");
  await apply(ns.name, [scratchPod({ name: "scratch" })]);
  await waitForPods(ns.name, "app=scratch");
});
after(async () => ns?.cleanup());

/** GET http://HOST:PORT/ from this machine (the node): the answer's body. */
function get(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host, port, path: "/from-the-node", timeout: 10_000 }, (response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => (body += chunk.toString()));
      response.on("end", () => resolve(body));
    }).on("error", reject);
  });
}

test("redir --profile netadmin takes the pod's port to my local server from a container that is not privileged", async () => {
  const local = await startLocalServer();
  const redir = await startRedirInBackground(["-n", ns.name, "--pod", "scratch", "--profile", "netadmin", `8080:${local.port}`]);
  try {
    assert.equal(await get(await podIP(ns.name, "scratch"), 8080), "hello from local\n");
    assert.deepEqual(local.requests, ["/from-the-node"]);
  } finally {
    await redir.stop();
    await local.close();
  }
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "scratch", "-o", "jsonpath={.spec.ephemeralContainers[*].name} {.spec.ephemeralContainers[0].securityContext}"]);
  const [name, securityContext] = [stdout.split(" ")[0], stdout.slice(stdout.indexOf(" ") + 1)];
  assert.match(name ?? "", /^kdiag-netadmin-[0-9a-f]{10}$/);
  assert.deepEqual(JSON.parse(securityContext), netadminSecurityContext);
});

test("the shell and ps work with --profile netadmin, reusing that container", async () => {
  const shell = await kdiag(["shell", "-n", ns.name, "--pod", "scratch", "--profile", "netadmin", "--", "-c", "ls /; grep -c . /proc/1/cmdline"]);
  assert.equal(shell.exitCode, 0, String(shell.stderr));
  assert.match(String(shell.stdout), /^server$/m);
  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "scratch", "--profile", "netadmin"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +server +\S*8080\S* +\/server 8080$/m);
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "scratch", "-o", "jsonpath={.spec.ephemeralContainers[*].name}"]);
  assert.equal(stdout.split(" ").length, 1, `one kdiag container: ${stdout}`);
});
