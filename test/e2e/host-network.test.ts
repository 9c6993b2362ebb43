// kdiag on a hostNetwork pod, whose network namespace is the node's (on this local cluster, the
// machine's own): ps and the shell work; redir refuses in one line and changes nothing on the node, unless
// --redirect-node-traffic says so; then the node's traffic for the port is redirected, and the
// rules go when redir ends.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { busyboxPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, nodeName, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, getEphemeralContainers, kdiag, startRedirInBackground } from "./kdiag-cli.ts";
import { startLocalServer } from "./local-server.ts";

const run = promisify(execFile);
const nodePort = 18_099;
let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-hostnet");
  const hostPod = busyboxPod({ name: "node-agent", labels: { app: "node-agent" } }) as { spec: object };
  await apply(ns.name, [{ ...hostPod, spec: { ...hostPod.spec, hostNetwork: true } }, busyboxPod({ name: "client" })]);
  await waitForPods(ns.name, "app=node-agent");
  await waitForPods(ns.name, "pod/client");
});
after(async () => ns?.cleanup());

/**
 * The node's netfilter state that kdiag could change, as a reader of it would compare it. kube-proxy
 * rewrites its own tables and KUBE-* chains whenever any test (running beside this one) creates or
 * deletes a Service, so they are left out; kdiag never writes there.
 */
async function nodeRules(): Promise<string> {
  const outputs = await Promise.all([run("nft", ["-s", "list", "ruleset"]), run("iptables-save"), run("ip6tables-save")]);
  // Counters (nft -s leaves them out) and the time iptables-save ran are not state.
  return outputs.map(({ stdout }) => withoutKubeProxy(stdout.replace(/^# (Generated|Completed) .*$/gm, ""))).join("\n");
}

function withoutKubeProxy(rules: string): string {
  return rules
    .replace(/^table (ip|ip6|inet) kube-proxy \{\n[\s\S]*?^\}\n/gm, "")
    .replace(/^\tchain KUBE-[\w-]+ \{\n[\s\S]*?^\t\}\n/gm, "")
    .split("\n")
    .filter((line) => !line.includes("KUBE-"))
    .join("\n");
}

test("redir on a hostNetwork pod refuses in one line, adds nothing to the pod and leaves the node's rules byte-identical", async () => {
  const before = await nodeRules();
  const result = await kdiag(["redir", "-n", ns.name, "--pod", "node-agent", `${nodePort}:9`]);
  assert.equal(result.exitCode, 1);
  assert.deepEqual(errorLines(result.stderr), [
    "kdiag: pod node-agent uses the node's network (hostNetwork), so a redirect would take the node's own traffic; pass --redirect-node-traffic if that is what you want",
  ]);
  assert.deepEqual(await getEphemeralContainers(ns.name, "node-agent"), []);
  assert.equal(await nodeRules(), before);
});

test("ps works on a hostNetwork pod", async () => {
  const result = await kdiag(["ps", "-n", ns.name, "--pod", "node-agent"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /sleep 1|while :/);
});

test("the shell works on a hostNetwork pod: it sees the node's interfaces, in the container's root", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "node-agent", "--", "-c", "ip -o link show kdiag0 >/dev/null && echo node-bridge; ls /bin/busybox"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(result.stdout, "node-bridge\n/bin/busybox");
});

test("with --redirect-node-traffic, a pod's request to the node's port reaches my machine, and the rules go with Ctrl-C", async () => {
  // The node's first InternalIP is its IPv4 one (a dual-stack node lists its IPv6 one after it).
  const { stdout: nodeIp } = await kubectl(["get", "node", nodeName, "-o", 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']).then(
    ({ stdout }) => ({ stdout: stdout.split(" ")[0] ?? "" }),
  );
  const local = await startLocalServer();
  const redir = await startRedirInBackground(["-n", ns.name, "--pod", "node-agent", "--redirect-node-traffic", `${nodePort}:${local.port}`]);
  try {
    assert.match(await nodeRules(), new RegExp(`kdiag port ${nodePort}`));
    const { stdout } = await kubectl(["-n", ns.name, "exec", "client", "--", "timeout", "10", "wget", "-q", "-O-", `http://${nodeIp}:${nodePort}/from-a-pod`]);
    assert.equal(stdout, "hello from local\n");
    assert.deepEqual(local.requests, ["/from-a-pod"]);
  } finally {
    await redir.stop();
    await local.close();
  }
  assert.doesNotMatch(await nodeRules(), /kdiag port/);
});
