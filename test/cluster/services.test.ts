// Services on the local cluster: kube-proxy sends a Service's ClusterIP and NodePort to the pods
// behind it, and CoreDNS answers the Service's name inside pods (and nothing outside the cluster).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { busyboxPod, serverPods, serverPort } from "./fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, nodeName, serviceClusterIP, waitForEndpoints, waitForPods, type TestNamespace } from "./kube.ts";

let ns: TestNamespace;
let clusterIP: string;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-cluster-svc");
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "echo" },
    spec: { type: "NodePort", selector: { app: "server" }, ports: [{ port: 80, targetPort: serverPort }] },
  };
  await apply(ns.name, [...serverPods(), busyboxPod({ name: "client" }), service]);
  await waitForPods(ns.name, "app=server");
  await waitForPods(ns.name, "pod/client");
  clusterIP = await serviceClusterIP(ns.name, "echo");
  await waitForEndpoints(ns.name, "echo", 2);
});
after(async () => ns?.cleanup());

/** Runs a busybox shell command in the client pod and returns its output. */
async function inClient(script: string): Promise<string> {
  const { stdout } = await kubectl(["-n", ns.name, "exec", "client", "--", "sh", "-c", script], { timeoutMs: 60_000 });
  return stdout;
}

test("a pod's requests to the Service's ClusterIP are answered by the server pods behind it, both of them", async () => {
  // kube-proxy picks an endpoint at random for each connection, and adds an endpoint the
  // EndpointSlice lists at its next sync (seconds later on a loaded machine): ask in rounds of 10
  // until both have answered. Every answer must come from one of them.
  const seen = new Set<string>();
  const deadline = Date.now() + 30_000;
  while (seen.size < 2) {
    assert.ok(Date.now() < deadline, `within 30 s only ${[...seen].join(", ")} answered`);
    const replies = await inClient(`for i in $(seq 10); do timeout 5 wget -q -O- http://${clusterIP}/ || echo failed; done`);
    for (const answer of replies.trim().split("\n")) {
      assert.match(answer, /^hello from server-[12]$/);
      seen.add(answer);
    }
  }
  assert.deepEqual([...seen].sort(), ["hello from server-1", "hello from server-2"]);
});

test("in a pod, CoreDNS answers the Service's name NAME.NS.svc.cluster.local with its ClusterIP, and wget by that name reaches it", async () => {
  const name = `echo.${ns.name}.svc.cluster.local`;
  const lookup = await inClient(`nslookup ${name}`);
  assert.match(lookup, new RegExp(`Name:\\s+${name.replaceAll(".", "\\.")}\\s+Address:\\s+${clusterIP.replaceAll(".", "\\.")}\\b`));
  assert.match(await inClient(`timeout 10 wget -q -O- http://${name}/`), /^hello from server-[12]\n$/);
});

test("a name outside the cluster is not forwarded off the machine: CoreDNS answers NXDOMAIN at once", async () => {
  const started = Date.now();
  const result = await kubectl(["-n", ns.name, "exec", "client", "--", "nslookup", "kdiag-test.example.com."], { allowFailure: true });
  assert.notEqual(result.exitCode, 0);
  assert.match(result.stdout + result.stderr, /NXDOMAIN/);
  assert.ok(Date.now() - started < 5_000, `the failed lookup took ${Date.now() - started} ms`);
});

test("the Service's NodePort answers on the node's address, from the node itself", async () => {
  const nodePort = (await kubectl(["-n", ns.name, "get", "service", "echo", "-o", "jsonpath={.spec.ports[0].nodePort}"])).stdout;
  // The node's first InternalIP is its IPv4 one (a dual-stack node lists its IPv6 one after it).
  const addresses = await kubectl(["get", "node", nodeName, "-o", 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address}']);
  const nodeIP = addresses.stdout.split(" ")[0];
  const response = await fetch(`http://${nodeIP}:${nodePort}/`, { signal: AbortSignal.timeout(10_000) });
  assert.match(await response.text(), /^hello from server-[12]\n$/);
});
