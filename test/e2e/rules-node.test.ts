// `kubectl kdiag rules --node` on the project's cluster, node kdiag-node (kube-proxy in iptables
// mode): a ClusterIP Service with two endpoints shows its KUBE-SVC chain and both KUBE-SEP chains
// with the endpoint IPs; a Service whose selector matches no pod is X from every source in
// `reach` and its REJECT "has no endpoints" in `rules`; without --service the node's own rules
// and conntrack entries show. After every command, Ctrl-C included, kdiag's debug pod is gone;
// bad input is one line and creates nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { serverPod, serverPort } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, nodeName, podIP, serviceClusterIP, waitForEndpoints, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, kdiag, userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;
let echoIP: string;
let endpoints: string[];
const debugPrefix = "kdiag-node-debug-";

function pinned(name: string): object {
  const manifest = serverPod({ name, labels: { role: "echo" } }) as { spec: object };
  return { ...manifest, spec: { ...manifest.spec, nodeName } };
}

function service(name: string, role: string): object {
  return { apiVersion: "v1", kind: "Service", metadata: { name }, spec: { selector: { role }, ports: [{ name: "http", port: 80, targetPort: serverPort }] } };
}

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-rules-node");
  await apply(ns.name, [pinned("echo-a"), pinned("echo-b"), service("echo", "echo"), service("nobody", "nothing")]);
  await waitForPods(ns.name, "role=echo");
  // Ready pods reach the EndpointSlice a moment later; the stories read it.
  await waitForEndpoints(ns.name, "echo", 2);
  echoIP = await serviceClusterIP(ns.name, "echo");
  endpoints = [await podIP(ns.name, "echo-a"), await podIP(ns.name, "echo-b")];
});
after(async () => ns?.cleanup());

/** The pods of the test namespace whose name is kdiag's debug pod's. */
async function debugPods(): Promise<string[]> {
  const { stdout } = await kubectl(["-n", ns.name, "get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]);
  return stdout.split(" ").filter((name) => name.startsWith(debugPrefix));
}

/** `rules --node kdiag-node ARGS`, asserting the debug pod is gone after it. */
async function rulesOnNode(args: string[]) {
  const result = await kdiag(["rules", "-n", ns.name, "--node", nodeName, ...args]);
  assert.deepEqual(await debugPods(), [], "the debug pod is left behind");
  return result;
}

/** kube-proxy writes a Service's rules at its next sync: ask again until CHECK holds (30 s). */
async function rulesOnNodeUntil(args: string[], check: (stdout: string) => boolean) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const result = await rulesOnNode(args);
    assert.equal(result.exitCode, 0, String(result.stderr));
    if (check(String(result.stdout)) || Date.now() > deadline) return String(result.stdout);
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

test("a ClusterIP Service with two endpoints: its KUBE-SERVICES rule, its KUBE-SVC chain and both KUBE-SEP chains with the endpoint IPs, nothing else", async () => {
  const dnat = (ip: string) => `-j DNAT --to-destination ${ip}:${serverPort}`;
  const out = await rulesOnNodeUntil(["--service", "echo"], (stdout) => endpoints.every((ip) => stdout.includes(dnat(ip))));
  const lines = out.split("\n");
  assert.equal(lines[0], `# Service ${ns.name}/echo (ClusterIP ${echoIP}) on node ${nodeName}, kube-proxy iptables mode`);
  assert.match(lines[1] ?? "", new RegExp(`^#   http 80/TCP -> ${serverPort}: \\S+:${serverPort} \\(${nodeName}\\), \\S+:${serverPort} \\(${nodeName}\\)$`));
  const entry = lines.find((line) => line.startsWith(`-A KUBE-SERVICES -d ${echoIP}/32 -p tcp -m comment --comment "${ns.name}/echo:http cluster IP"`));
  assert.ok(entry, out);
  const svcChain = /-j (KUBE-SVC-[A-Z0-9]+)$/.exec(entry)?.[1];
  assert.ok(svcChain, entry);
  for (const ip of endpoints) {
    const toEndpoint = lines.find((line) => line.startsWith(`-A ${svcChain} -m comment --comment "${ns.name}/echo:http -> ${ip}:${serverPort}"`));
    assert.ok(toEndpoint, `${svcChain} has no rule to ${ip}:\n${out}`);
    const sepChain = /-j (KUBE-SEP-[A-Z0-9]+)$/.exec(toEndpoint)?.[1];
    assert.ok(lines.includes(`:${sepChain} - [0:0]`), out);
    assert.ok(lines.some((line) => line.startsWith(`-A ${sepChain} `) && line.endsWith(dnat(ip))), out);
  }
  // Every commented rule is this Service's: the node's other Services are left out.
  const comments = lines.flatMap((line) => /--comment "([^"]*)"/.exec(line)?.[1] ?? []);
  assert.ok(comments.length >= 6);
  for (const comment of comments) assert.match(comment, new RegExp(`^${ns.name}/echo:http( |$)`));
});

test("a Service whose selector matches no pod: X in its column from every source, and the REJECT rule 'has no endpoints'", async () => {
  const reach = await kdiag(["reach", "-n", ns.name, "-l", "role=echo", "svc/nobody", "--probe-timeout", "1s"]);
  assert.equal(reach.exitCode, 0, String(reach.stderr));
  const rows = String(reach.stdout).split("\n").filter((line) => line.startsWith(`${ns.name}/echo-`));
  assert.equal(rows.length, 2, String(reach.stdout));
  for (const row of rows) assert.match(row, / X$/, String(reach.stdout));
  const nobodyIP = await serviceClusterIP(ns.name, "nobody");
  const reject = `-A KUBE-SERVICES -d ${nobodyIP}/32 -p tcp -m comment --comment "${ns.name}/nobody:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable`;
  const out = await rulesOnNodeUntil(["--service", `${ns.name}/nobody:80`], (stdout) => stdout.includes(reject));
  assert.ok(out.includes("#   http 80/TCP -> 8080: no endpoints\n"), out);
  // The whole of the rules: the filter table's one REJECT (the CLI's last newline is stripped by execa).
  assert.ok(out.endsWith(`\n\n# iptables-nft (IPv4)\n*filter\n:KUBE-SERVICES - [0:0]\n${reject}\nCOMMIT`), out);
  assert.doesNotMatch(out, /KUBE-SVC-|KUBE-SEP-/);
});

test("without --service the node's rules show as a pod's do, and --conntrack lists the node's entries to the Service, answered by its endpoints", async () => {
  const nat = await rulesOnNode(["--table", "nat", "--chain", "KUBE-SERVICES"]);
  assert.equal(nat.exitCode, 0, String(nat.stderr));
  assert.match(String(nat.stdout), new RegExp(`^-A KUBE-SERVICES -d ${echoIP.replaceAll(".", "\\.")}/32 .*-j KUBE-SVC-`, "m"));
  // A connection through the ClusterIP is NATed, and tracked, on the node.
  const reach = await kdiag(["reach", "-n", ns.name, "-l", "role=echo", "svc/echo"]);
  assert.equal(reach.exitCode, 0, String(reach.stderr));
  const conntrack = await rulesOnNode(["--conntrack", "--proto", "tcp", "--dst", echoIP, "--dport", "80"]);
  assert.equal(conntrack.exitCode, 0, String(conntrack.stderr));
  const entries = String(conntrack.stdout).split("\n").slice(1).filter(Boolean);
  assert.ok(entries.length >= 2, String(conntrack.stdout));
  for (const entry of entries) {
    // PROTO  ORIGINAL (source -> ClusterIP:80)  REPLY (endpoint:8080 -> source)  STATE  TIMEOUT
    const [, original, replier] = /^tcp\s+\S+ -> (\S+)\s+(\S+) -> /.exec(entry) ?? [];
    assert.equal(original, `${echoIP}:80`, entry);
    assert.ok(endpoints.some((ip) => replier === `${ip}:${serverPort}`), entry);
  }
});

test("Ctrl-C while the debug pod starts deletes it, and kdiag exits 130", async () => {
  const child = execa("kubectl", ["kdiag", "rules", "-n", ns.name, "--node", nodeName], { env: userEnv, reject: false, stdin: "ignore" });
  const deadline = Date.now() + 30_000;
  while ((await debugPods()).length === 0) {
    assert.ok(Date.now() < deadline && child.exitCode === null, "no debug pod appeared");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill("SIGINT");
  const result = await child;
  assert.equal(result.exitCode, 130, String(result.stderr));
  assert.equal(String(result.stdout), "");
  assert.deepEqual(await debugPods(), []);
});

test("bad input is one line and creates nothing: an unknown Service, a node that does not exist, --service without --node, a port out of range", async () => {
  const cases: Array<[string[], number, string]> = [
    [["--node", nodeName, "--service", "nope"], 1, `kdiag: Service \`nope\` not found in namespace \`${ns.name}\``],
    [["--node", nodeName, "--service", "echo:81"], 1, `kdiag: Service \`${ns.name}/echo\` has no port \`81\`; its ports: http 80/TCP`],
    [["--node", "no-such-node", "--service", "echo"], 1, "kdiag: node `no-such-node` does not exist; the cluster's nodes: "],
    [["--service", "echo"], 2, "kdiag: --service needs --node NODE: a Service's kube-proxy rules are read on a node"],
    [["--node", nodeName, "--service", "echo:70000"], 2, "kdiag: port `70000` in `--service echo:70000` is out of range (1–65535)"],
  ];
  for (const [args, exitCode, line] of cases) {
    const result = await kdiag(["rules", "-n", ns.name, ...args]);
    assert.equal(result.exitCode, exitCode, String(result.stderr));
    const [error, ...more] = errorLines(result.stderr);
    assert.deepEqual(more, [], String(result.stderr));
    assert.ok(error?.startsWith(line), `${error} does not start with ${line}`);
    assert.equal(String(result.stdout), "");
    assert.deepEqual(await debugPods(), []);
  }
  // Nothing at all was created in the namespace: only the test's own pods are there.
  const { stdout } = await kubectl(["-n", ns.name, "get", "pods", "-o", "jsonpath={.items[*].metadata.name}"]);
  assert.deepEqual(stdout.split(" ").sort(), ["echo-a", "echo-b"]);
});
