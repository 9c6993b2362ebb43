// Service debugging on two nodes, the way sig-network's table tests look at it: three echo pods,
// one on kdiag-node and two on kdiag-node-2, behind the ClusterIP Service `echo`.
// 1. `reach` from the three pods: every pod IP, svc/echo and its DNS name are `.`, and --http
//    shows the Service answered by more than one endpoint;
// 2. with node 2's kube-proxy stopped and its rules flushed, svc/echo turns X for exactly the
//    node-2 sources while pod IPs stay `.`; --expect against the healthy run exits 1 and says so;
// 3. externalTrafficPolicy: Local on a NodePort whose only endpoint is on node 1: node 2's
//    NodePort is X from node 1, and `rules --node kdiag-node-2 --service` shows kube-proxy's
//    "has no local endpoints" DROP;
// 4. a UDP client on node 2 keeps talking to the endpoint it first reached after that pod is
//    deleted (it drains, still serving, so kube-proxy leaves the flow alone): `rules --node
//    --conntrack` shows the entry, --conntrack-delete removes it, and the next datagram reaches the
//    Service's other endpoint;
// 5. the matrix of 1 again in each kube-proxy mode this machine runs (iptables, nftables).
// Every change to the cluster (kube-proxy stopped, its mode) is undone by `cluster:up` afterwards.
import assert from "node:assert/strict";
import { execFile, execSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { serverPod, serverPort, serverUdpPort, udpClientPod } from "../cluster/fixtures.ts";
import { apply, clusterDir, clusterNodeNames, createNamespace, ensureCluster, kubectl, nodeName, podIP, repoRoot, serviceClusterIP, waitForEndpoints, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag } from "./kdiag-cli.ts";

const run = promisify(execFile);
const secondNode = `${nodeName}-2`;
const pods = [
  { name: "echo-a", node: nodeName },
  { name: "echo-b", node: secondNode },
  { name: "echo-c", node: secondNode },
];
let ns: TestNamespace;
let dir: string;

function service(name: string, selector: Record<string, string>, spec: object = {}): object {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector, ports: [{ name: "http", port: 80, targetPort: serverPort }], ...spec } };
}

before(async () => {
  await ensureCluster();
  assert.ok(clusterNodeNames().includes(secondNode), `these stories need ${secondNode}: start the cluster with npm run cluster:up -- --nodes 2`);
  ns = await createNamespace("kdiag-e2e-svc-nodes");
  dir = mkdtempSync(path.join(tmpdir(), "kdiag-svc-nodes-"));
  await apply(ns.name, [
    ...pods.map(({ name, node }) => serverPod({ name, node, labels: { role: "echo", ...(name === "echo-a" ? { only: "a" } : {}) } })),
    service("echo", { role: "echo" }),
    service("local", { only: "a" }, { type: "NodePort", externalTrafficPolicy: "Local" }),
  ]);
  await waitForPods(ns.name, "role=echo");
  await waitForEndpoints(ns.name, "echo", 3);
  await waitForEndpoints(ns.name, "local", 1);
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await ns?.cleanup();
});

const label = (pod: string) => `${ns.name}/${pod} (${pods.find((p) => p.name === pod)?.node})`;
const reach = (args: string[]) => kdiag(["reach", "-n", ns.name, "-l", "role=echo", ...args], { stripFinalNewline: false });

/** The matrix's rows, each as its cells, by source label (the header row under "-"). */
function readMatrix(output: string): Map<string, string[]> {
  const lines = output.split("\n");
  const start = lines.findIndex((line) => line.startsWith("-  "));
  assert.ok(start >= 0, output);
  const rows = new Map<string, string[]>();
  for (const line of lines.slice(start)) {
    if (line.trim() === "") break;
    const cells = line.split(/ {3,}/);
    rows.set(cells[0]!, cells.slice(1));
  }
  return rows;
}

/** Runs `cluster:up` with ARGS (as the README's user would) and fails with its log if it fails. */
async function clusterUp(...args: string[]): Promise<void> {
  await run("bash", [path.join(repoRoot, "test/cluster/up.sh"), ...args], { timeout: 300_000, maxBuffer: 16 << 20 });
}

async function healthyMatrix(): Promise<string> {
  // A kube-proxy that just started may not have synced this Service yet: try for a while.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const result = await reach(["pods", "--port", String(serverPort), "svc/echo", "--dns", "--probe-timeout", "2s"]);
    const output = String(result.stdout);
    if (result.exitCode === 0 && /^reachability: (\d+) of \1 reachable$/m.test(output)) return output;
    assert.ok(Date.now() < deadline, `the matrix did not become all reachable within 60 s:\n${output}${String(result.stderr)}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

test("from pods on both nodes every pod, svc/echo and its DNS name are reachable, and the Service spreads over its endpoints", async () => {
  const output = await healthyMatrix();
  const rows = readMatrix(output);
  assert.deepEqual(rows.get("-"), [...pods.map((p) => label(p.name)), "svc/echo", `echo.${ns.name}.svc.cluster.local:80`]);
  for (const pod of pods) assert.deepEqual(rows.get(label(pod.name)), [".", ".", ".", ".", "."], output);
  writeFileSync(path.join(dir, "healthy.txt"), output);

  // kube-proxy picks an endpoint at random per connection: over a few runs more than one answers.
  const answered = new Set<string>();
  for (let round = 0; round < 6 && answered.size < 2; round++) {
    const result = await reach(["svc/echo", "--http"]);
    assert.equal(result.exitCode, 0, String(result.stderr));
    const line = String(result.stdout).split("\n").find((text) => text.startsWith("  svc/echo: "));
    for (const answer of line?.matchAll(/hello from (echo-[abc])/g) ?? []) answered.add(answer[1]!);
  }
  assert.ok(answered.size >= 2, `only ${[...answered].join(", ")} answered svc/echo`);
});

test("with kube-proxy stopped on node 2 and its rules flushed, svc/echo is X exactly from node 2's pods, and --expect says so", async () => {
  const healthy = path.join(dir, "healthy.txt");
  assert.ok(readFileSync(healthy, "utf8").length > 0, "the first story saved the healthy matrix");
  const pid = Number(readFileSync(path.join(clusterDir, `pids/kube-proxy-${secondNode}`), "utf8").trim());
  try {
    const kubeProxy = readlinkSync(`/proc/${pid}/exe`);
    process.kill(pid, "SIGTERM");
    await waitUntilGone(pid);
    // kube-proxy leaves its rules behind when it stops; --cleanup removes those of every mode. A
    // flow the node already translated keeps its translation in conntrack (the managers' resolver
    // sockets from the first story live on): the story is about new connections, so forget them.
    await run("ip", ["netns", "exec", secondNode, kubeProxy, "--cleanup"]);
    await run("ip", ["netns", "exec", secondNode, "conntrack", "-F"]);

    // What node 2 did before it lost its rules may linger a moment (a sync kube-proxy had started,
    // connections the kernel still tracks): the verdict is the one the node settles on.
    let result = await reach(["pods", "--port", String(serverPort), "svc/echo", "--dns", "--probe-timeout", "2s", "--expect", healthy]);
    for (let tries = 1; tries < 10 && !/incorrect 4 /.test(String(result.stdout)); tries++) {
      await new Promise((resolve) => setTimeout(resolve, 2000));
      result = await reach(["pods", "--port", String(serverPort), "svc/echo", "--dns", "--probe-timeout", "2s", "--expect", healthy]);
    }
    const output = String(result.stdout);
    // Should node 2 still reach a Service, what it holds says how.
    const context = () => `${output}${String(result.stderr)}\n${describeNode(secondNode)}`;
    assert.equal(result.exitCode, 1, context());
    assert.match(output, new RegExp(`^reachability: correct \\d+, incorrect 4 \\(node ${secondNode} sources fail on svc/echo`, "m"), context());
    const observed = readMatrix(output);
    assert.deepEqual(observed.get(label("echo-a")), [".", ".", ".", ".", "."], output);
    for (const pod of ["echo-b", "echo-c"]) assert.deepEqual(observed.get(label(pod)), [".", ".", ".", "X", "X"], output);
  } finally {
    await clusterUp();
  }
});

async function waitUntilGone(pid: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`kube-proxy ${pid} did not stop`);
}

/** The processes whose network namespace is NODE's (`ip netns` names it), with their executables. */
function processesInNetns(node: string): Array<{ pid: number; exe: string }> {
  const inode = statSync(`/run/netns/${node}`).ino;
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name) => {
      try {
        return statSync(`/proc/${name}/ns/net`).ino === inode ? [{ pid: Number(name), exe: readlinkSync(`/proc/${name}/exe`) }] : [];
      } catch {
        return []; // gone meanwhile, or a kernel thread
      }
    });
}

/** What NODE's network namespace holds that could translate a Service address, for a failure's message. */
function describeNode(node: string): string {
  const inNode = (command: string) => {
    try {
      return execSync(`ip netns exec ${node} ${command}`, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    } catch (error) {
      return `(${command}: ${String(error)})`;
    }
  };
  const processes = processesInNetns(node).map((entry) => `${entry.pid} ${path.basename(entry.exe)}`).join(", ");
  return [
    `processes in ${node}'s network namespace: ${processes}`,
    `nft tables: ${inNode("nft list tables").trim().replaceAll("\n", "; ")}`,
    `iptables-nft nat KUBE-SERVICES rules: ${inNode("iptables-nft-save -t nat").split("\n").filter((line) => line.startsWith("-A KUBE-SERVICES")).length}`,
    `iptables-legacy nat KUBE-SERVICES rules: ${inNode("iptables-legacy-save -t nat").split("\n").filter((line) => line.startsWith("-A KUBE-SERVICES")).length}`,
    `conntrack entries to the Service range: ${inNode("conntrack -L -d 10.96.0.0/24").trim()}`,
  ].join("\n");
}

test("externalTrafficPolicy Local with the only endpoint on node 1: node 2's NodePort drops what node 1 sends it, and rules --node shows the DROP", async () => {
  const result = await reach(["nodeport/local", "--probe-timeout", "2s"]);
  const output = String(result.stdout);
  const rows = readMatrix(output);
  assert.deepEqual(rows.get("-"), [`nodeport/local (${nodeName})`, `nodeport/local (${secondNode})`], output);
  // Node 1 has the endpoint. Node 2 has none, so what arrives from outside node 2 is dropped; its
  // own pods are sent on to the endpoint anyway (kube-proxy's "pod traffic for external
  // destinations", which keeps in-cluster clients working under policy Local).
  assert.deepEqual(rows.get(label("echo-a")), [".", "X"], output);
  for (const pod of ["echo-b", "echo-c"]) assert.deepEqual(rows.get(label(pod)), [".", "."], output);
  assert.match(output, new RegExp(`nodeport/local \\(${secondNode}\\): timeout \\(1\\)`));

  const rules = await kdiag(["rules", "-n", ns.name, "--node", secondNode, "--service", "local"]);
  assert.equal(rules.exitCode, 0, String(rules.stderr));
  assert.match(String(rules.stdout), new RegExp(`-A KUBE-EXTERNAL-SERVICES .*"${ns.name}/local:http has no local endpoints".* -j DROP`));
  const onNodeOne = await kdiag(["rules", "-n", ns.name, "--node", nodeName, "--service", "local"]);
  assert.equal(onNodeOne.exitCode, 0, String(onNodeOne.stderr));
  assert.doesNotMatch(String(onNodeOne.stdout), /has no local endpoints/);
});

test("a UDP client pinned to a deleted, draining endpoint stays there until rules --node --conntrack-delete removes its entry; its next datagram reaches the other endpoint", async () => {
  // udp-old answers first; udp-new joins; then udp-old is deleted but drains for a minute, still
  // serving. kube-proxy sends new flows to udp-new only, but leaves flows to a serving endpoint
  // alone (as it does TCP's), so the client's one conversation stays on udp-old.
  await apply(ns.name, [
    serverPod({ name: "udp-old", node: nodeName, udp: true, drainSeconds: 60, labels: { role: "udp" } }),
    service("udp", { role: "udp" }, { ports: [{ name: "dns", protocol: "UDP", port: 53, targetPort: serverUdpPort }] }),
  ]);
  try {
    await waitForPods(ns.name, "pod/udp-old");
    await waitForEndpoints(ns.name, "udp", 1);
    const clusterIP = await serviceClusterIP(ns.name, "udp");
    await apply(ns.name, [udpClientPod({ name: "udp-client", node: secondNode, target: `${clusterIP}:53` })]);
    await waitForPods(ns.name, "pod/udp-client");
    await clientSays("hello from udp-old");

    await apply(ns.name, [serverPod({ name: "udp-new", node: secondNode, udp: true, labels: { role: "udp" } })]);
    await waitForPods(ns.name, "pod/udp-new");
    await waitForEndpoints(ns.name, "udp", 2);
    const [oldIP, newIP] = await Promise.all([podIP(ns.name, "udp-old"), podIP(ns.name, "udp-new")]);
    await kubectl(["-n", ns.name, "delete", "pod", "udp-old", "--wait=false"]);
    await waitForDraining(oldIP);

    // Node 2's kube-proxy has synced the change: the Service now leads to udp-new alone…
    const sent = await settled(async () => {
      const rules = await kdiag(["rules", "-n", ns.name, "--node", secondNode, "--service", "udp"]);
      assert.equal(rules.exitCode, 0, String(rules.stderr));
      const output = String(rules.stdout);
      return output.includes(`-> ${newIP}:${serverUdpPort}`) && !output.includes(`-> ${oldIP}:${serverUdpPort}"`) ? output : undefined;
    }, "node 2's rules for svc/udp did not drop udp-old");
    assert.match(sent, new RegExp(`# .*${oldIP.replaceAll(".", "\\.")}:${serverUdpPort} .*terminating`), sent);
    // …and still the client hears udp-old, whose entry conntrack keeps.
    await clientSays("hello from udp-old");
    const listing = await kdiag(["rules", "-n", ns.name, "--node", secondNode, "--conntrack", "--proto", "udp", "--dst", clusterIP, "--dport", "53"]);
    assert.equal(listing.exitCode, 0, String(listing.stderr));
    const entries = String(listing.stdout).split("\n").slice(1).filter(Boolean);
    const clientIP = await podIP(ns.name, "udp-client");
    assert.deepEqual(entries.map((line) => line.split(/ {2,}/).slice(0, 3)), [["udp", `${clientIP}:40000 -> ${clusterIP}:53`, `${oldIP}:${serverUdpPort} -> ${clientIP}:40000`]], String(listing.stdout));

    const deleted = await kdiag(["rules", "-n", ns.name, "--node", secondNode, "--conntrack-delete", "--proto", "udp", "--dst", clusterIP, "--dport", "53", "--yes"]);
    assert.equal(deleted.exitCode, 0, String(deleted.stderr));
    assert.match(String(deleted.stdout), new RegExp(`^deleted 1 conntrack entry of node ${secondNode}`));
    await clientSays("hello from udp-new");
  } finally {
    await kubectl(["-n", ns.name, "delete", "pod", "udp-old", "udp-new", "udp-client", "--grace-period=0", "--force", "--ignore-not-found"], { allowFailure: true });
  }
});

/** Waits until the UDP client's latest reply is LINE (it asks twice a second). */
async function clientSays(line: string): Promise<void> {
  await settled(async () => {
    const { stdout } = await kubectl(["-n", ns.name, "logs", "udp-client", "--tail", "2"]);
    return stdout.trim().split("\n").every((reply) => reply === line) ? stdout : undefined;
  }, `the UDP client's replies did not become "${line}"`);
}

/** Waits until the Service's EndpointSlice lists ADDRESS as terminating but still serving. */
async function waitForDraining(address: string): Promise<void> {
  await settled(async () => {
    const { stdout } = await kubectl(["-n", ns.name, "get", "endpointslices", "-l", "kubernetes.io/service-name=udp", "-o", "json"]);
    const slices = JSON.parse(stdout) as { items: Array<{ endpoints?: Array<{ addresses: string[]; conditions: { serving?: boolean; terminating?: boolean } }> }> };
    const endpoint = slices.items.flatMap((slice) => slice.endpoints ?? []).find((candidate) => candidate.addresses.includes(address));
    return endpoint?.conditions.terminating && endpoint.conditions.serving ? "draining" : undefined;
  }, `${address} did not turn terminating and serving`);
}

/** Calls LOOK every half second until it returns a value (which it returns), for up to 30 s. */
async function settled<T>(look: () => Promise<T | undefined>, failure: string): Promise<T> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const value = await look();
    if (value !== undefined) return value;
    assert.ok(Date.now() < deadline, failure);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

test("the matrix of the first story is the same in each kube-proxy mode this machine runs: iptables and nftables", async () => {
  const healthy = path.join(dir, "healthy.txt");
  try {
    await clusterUp("--proxy-mode", "nftables");
    const output = await healthyMatrix();
    const result = await reach(["pods", "--port", String(serverPort), "svc/echo", "--dns", "--expect", healthy]);
    assert.equal(result.exitCode, 0, String(result.stdout) + String(result.stderr));
    assert.match(String(result.stdout), /^reachability: correct 15, incorrect 0/m);
    const rules = await kdiag(["rules", "-n", ns.name, "--node", secondNode, "--service", "echo"]);
    assert.equal(rules.exitCode, 0, String(rules.stderr));
    assert.match(String(rules.stdout), new RegExp(`service-[A-Z0-9]+-${ns.name}/echo/tcp/http`), output);
  } finally {
    await clusterUp("--proxy-mode", "iptables");
  }
});
