// A cluster of two nodes (cluster:up --nodes 2, as scripts/test-all.sh starts it): kdiag-node-2 is
// a kubelet of its own in its own network namespace, its pods talk to node 1's over a routed hop
// without masquerading, by IPv4 and by IPv6, and Services and CoreDNS work from pods on both nodes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { busyboxPod, serverPod, serverPort } from "./fixtures.ts";
import {
  apply, clusterDir, clusterNodeNames, createNamespace, ensureCluster, kubectl, nodeName, repoRoot, serviceClusterIP, waitForEndpoints,
  waitForPods, type TestNamespace,
} from "./kube.ts";

const node2 = `${nodeName}-2`;
let ns: TestNamespace;
let dualStack: boolean;
/** Each pod's addresses, IPv4 first. */
const ips = new Map<string, string[]>();

/** POD's IPv4 (4) or IPv6 (6) address. */
function podAddress(pod: string, family: 4 | 6): string {
  const address = ips.get(pod)?.[family === 4 ? 0 : 1];
  assert.ok(address, `${pod} has no IPv${family} address: ${ips.get(pod)?.join(", ")}`);
  return address;
}

before(async () => {
  await ensureCluster();
  assert.ok(clusterNodeNames().includes(node2), `the cluster has no ${node2}; start it with npm run cluster:up -- --nodes 2`);
  dualStack = readFileSync(path.join(clusterDir, "stack"), "utf8").trim() === "dual";
  ns = await createNamespace("kdiag-cluster-nodes");
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "echo" },
    spec: { ipFamilyPolicy: "PreferDualStack", selector: { app: "server" }, ports: [{ port: 80, targetPort: serverPort }] },
  };
  await apply(ns.name, [
    serverPod({ name: "server-1" }),
    serverPod({ name: "server-2", node: node2 }),
    busyboxPod({ name: "client-1" }),
    busyboxPod({ name: "client-2", node: node2 }),
    service,
  ]);
  await waitForPods(ns.name, "app=server");
  await waitForPods(ns.name, "app=busybox");
  for (const pod of ["server-1", "server-2", "client-1", "client-2"]) {
    const { stdout } = await kubectl(["-n", ns.name, "get", "pod", pod, "-o", "jsonpath={.status.podIPs[*].ip}"]);
    ips.set(pod, stdout.split(" "));
  }
  await waitForEndpoints(ns.name, "echo", dualStack ? 4 : 2);
});
after(async () => ns?.cleanup());

/** Runs a busybox shell command in POD and returns its output. */
async function inPod(pod: string, script: string): Promise<string> {
  const { stdout } = await kubectl(["-n", ns.name, "exec", pod, "--", "sh", "-c", script], { timeoutMs: 60_000 });
  return stdout;
}

/** `http://ADDRESS:PORT/` with an IPv6 address in brackets. */
const url = (address: string, port = serverPort) => `http://${address.includes(":") ? `[${address}]` : address}:${port}/`;

test("both nodes are Ready, node 2 with its own addresses, and a pod pinned to each runs there, in that node's pod range", async () => {
  for (const node of [nodeName, node2]) {
    const ready = await kubectl(["get", "node", node, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    assert.equal(ready.stdout, "True", `${node} is not Ready`);
  }
  const addresses = await kubectl(["get", "node", node2, "-o", 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']);
  assert.deepEqual(addresses.stdout.split(" "), dualStack ? ["10.89.0.2", "fd00:89::2"] : ["10.89.0.2"]);
  const placed = await kubectl(["-n", ns.name, "get", "pods", "-o", "jsonpath={range .items[*]}{.metadata.name}={.spec.nodeName} {end}"]);
  assert.deepEqual(placed.stdout.trim().split(" ").sort(), [
    `client-1=${nodeName}`, `client-2=${node2}`, `server-1=${nodeName}`, `server-2=${node2}`,
  ]);
  assert.match(podAddress("server-1", 4), /^10\.88\.0\.\d+$/);
  assert.match(podAddress("server-2", 4), /^10\.88\.1\.\d+$/);
  if (dualStack) {
    assert.match(podAddress("server-1", 6), /^fd00:88::[0-9a-f]+$/);
    assert.match(podAddress("server-2", 6), /^fd00:88:0:1::[0-9a-f]+$/);
  }
});

for (const family of [4, 6] as const) {
  test(`a pod on each node reaches the server on the other node by its IPv${family} pod IP, which sees the client's own pod IP (no masquerading)`, async (t) => {
    if (family === 6) assert.ok(dualStack, "the cluster is IPv4 only; start it with npm run cluster:up -- --dual-stack --nodes 2");
    for (const [client, server] of [["client-2", "server-1"], ["client-1", "server-2"]] as const) {
      await t.test(`${client} → ${server}`, async () => {
        assert.equal(await inPod(client, `timeout 10 wget -q -O- ${url(podAddress(server, family))}`), `hello from ${server}\n`);
        const { stdout: log } = await kubectl(["-n", ns.name, "logs", server]);
        const source = podAddress(client, family);
        assert.ok(log.includes(`${family === 6 ? `[${source}]` : source}:`), `${server} saw no request from ${source}:\n${log}`);
      });
    }
  });
}

test("the ClusterIP Service with an endpoint on each node answers a pod on each node from both endpoints", async () => {
  const { stdout: clusterIPs } = await kubectl(["-n", ns.name, "get", "service", "echo", "-o", "jsonpath={.spec.clusterIPs[*]}"]);
  for (const client of ["client-1", "client-2"]) {
    for (const clusterIP of clusterIPs.split(" ")) {
      // kube-proxy picks an endpoint at random for each connection: ask in rounds until both answered.
      const seen = new Set<string>();
      const deadline = Date.now() + 30_000;
      while (seen.size < 2) {
        assert.ok(Date.now() < deadline, `within 30 s only ${[...seen].join(", ")} answered ${client} at ${clusterIP}`);
        const replies = await inPod(client, `for i in $(seq 10); do timeout 5 wget -q -O- ${url(clusterIP, 80)} || echo failed; done`);
        for (const answer of replies.trim().split("\n")) {
          assert.match(answer, /^hello from server-[12]$/, `${client} at ${clusterIP}`);
          seen.add(answer);
        }
      }
    }
  }
});

test("on node 2, CoreDNS answers the Service's name NAME.NS.svc.cluster.local, and wget by that name reaches it", async () => {
  const name = `echo.${ns.name}.svc.cluster.local`;
  const clusterIP = await serviceClusterIP(ns.name, "echo");
  const lookup = await inPod("client-2", `nslookup ${name}`);
  assert.match(lookup, new RegExp(`Name:\\s+${name.replaceAll(".", "\\.")}\\s+Address:\\s+${clusterIP.replaceAll(".", "\\.")}\\b`));
  assert.match(await inPod("client-2", `timeout 10 wget -q -O- http://${name}/`), /^hello from server-[12]\n$/);
});

test("cluster:up refuses a node count outside 1 to 8 in one line (exit 2) and leaves the running cluster as it is", async () => {
  const before = clusterNodeNames();
  const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
    [["--nodes", "0"], {}, "kdiag: the number of nodes is '0'; use 1 to 8\n"],
    [["--nodes=9"], {}, "kdiag: the number of nodes is '9'; use 1 to 8\n"],
    [["--nodes"], {}, "kdiag: --nodes needs a number of nodes, 1 to 8\n"],
    [[], { KDIAG_NODES: "two" }, "kdiag: the number of nodes is 'two'; use 1 to 8\n"],
  ];
  for (const [args, env, message] of cases) {
    const result = await promisify(execFile)("bash", ["test/cluster/up.sh", ...args], { cwd: repoRoot, env: { ...process.env, ...env } }).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code: number; stderr: string }) => error,
    );
    assert.deepEqual([result.code, result.stderr], [2, message], `cluster:up ${args.join(" ")} ${JSON.stringify(env)}`);
  }
  assert.deepEqual(clusterNodeNames(), before);
  const { stdout } = await kubectl(["get", "nodes", "-o", "jsonpath={.items[*].metadata.name}"]);
  assert.deepEqual(stdout.split(" "), before);
});
