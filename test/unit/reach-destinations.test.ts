// What a user types after `kubectl kdiag reach` becomes one destination each, or one line saying
// what is wrong with it, before anything touches the cluster.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Node, V1Service } from "@kubernetes/client-node";
import { toReachConfig } from "../../pkg/commands/reach/config.ts";
import { parseDestination, parsePodPort } from "../../pkg/commands/reach/destinations.ts";
import { planColumns, type SourcePod } from "../../pkg/commands/reach/plan.ts";

test("pods, Services, NodePorts and addresses are told apart", () => {
  assert.deepEqual(parseDestination("pods"), { kind: "pods" });
  assert.deepEqual(parseDestination("svc/echo"), { kind: "service", name: "echo" });
  assert.deepEqual(parseDestination("svc/echo:80"), { kind: "service", name: "echo", port: "80" });
  assert.deepEqual(parseDestination("service/echo:http"), { kind: "service", name: "echo", port: "http" });
  assert.deepEqual(parseDestination("nodeport/echo"), { kind: "nodeport", name: "echo" });
  assert.deepEqual(parseDestination("10.0.0.7:8080"), { kind: "address", host: "10.0.0.7", port: 8080, protocol: "tcp" });
  assert.deepEqual(parseDestination("[fd00::7]:53/udp"), { kind: "address", host: "fd00::7", port: 53, protocol: "udp" });
  assert.deepEqual(parseDestination("db.example.:5432"), { kind: "address", host: "db.example.", port: 5432, protocol: "tcp" });
});

test("a destination that cannot be dialled is refused with what to write instead", () => {
  const refusals: Array<[string, string]> = [
    ["10.0.0.7:70000", "port `70000` in `10.0.0.7:70000` is out of range (1–65535)"],
    ["10.0.0.7:0", "port `0` in `10.0.0.7:0` is out of range (1–65535)"],
    ["10.0.0.7", "destination `10.0.0.7` has no port; use pods, svc/NAME[:PORT], nodeport/NAME[:PORT] or HOST:PORT[/udp]"],
    ["10.0.0.7:80/sctp", "destination `10.0.0.7:80/sctp` ends in an unknown protocol; use pods, svc/NAME[:PORT], nodeport/NAME[:PORT] or HOST:PORT[/udp]"],
    ["svc/Echo", "destination `svc/Echo` does not name a Service; use pods, svc/NAME[:PORT], nodeport/NAME[:PORT] or HOST:PORT[/udp]"],
    ["svc/echo:99999", "port `99999` in `svc/echo:99999` is out of range (1–65535)"],
    ["svc/echo:-x", "port `-x` in `svc/echo:-x` is neither a number nor a port name"],
    ["[10.0.0.7]:80", "host `10.0.0.7` in `[10.0.0.7]:80` is neither an IP address nor a host name"],
    ["a;b:80", "host `a;b` in `a;b:80` is neither an IP address nor a host name"],
  ];
  for (const [text, message] of refusals) assert.throws(() => parseDestination(text), { name: "UsageError", message }, text);
});

test("--port takes PORT or PORT/udp", () => {
  assert.deepEqual(parsePodPort("8080"), { port: 8080, protocol: "tcp" });
  assert.deepEqual(parsePodPort("53/UDP"), { port: 53, protocol: "udp" });
  assert.throws(() => parsePodPort("65536"), { message: "port `65536` in `--port 65536` is out of range (1–65535)" });
});

test("the command line needs sources, a destination, and --port for `pods`", () => {
  assert.throws(() => toReachConfig({ destinations: ["pods"] }), { message: "choose the source pods with -l SELECTOR, --pod NAME or --all" });
  assert.throws(() => toReachConfig({ all: true }), { message: "name at least one destination, e.g. `pods --port 8080`, `svc/echo` or `10.0.0.7:80`" });
  assert.throws(() => toReachConfig({ all: true, destinations: ["pods"] }), { message: "the destination `pods` needs --port, e.g. --port 8080" });
  assert.throws(() => toReachConfig({ all: true, to: "svc/echo", probeTimeout: "11s" }), { message: "--probe-timeout `11s` is out of range (1ms–10s)" });
  assert.throws(() => toReachConfig({ all: true, to: "svc/echo", output: "yaml" }), { message: "-o `yaml` is not an output format; use one of table, json" });
  const config = toReachConfig({ selector: ["app=a", "app=b"], pod: "x", destinations: ["pods"], to: ["svc/echo", "1.2.3.4:5"], port: "8080" });
  assert.deepEqual(config.sources, { selectors: ["app=a", "app=b"], pods: ["x"], all: false });
  assert.deepEqual(config.destinations.map((destination) => destination.kind), ["pods", "service", "address"]);
  assert.equal(config.probeTimeoutMs, 2_000);
});

const sources: SourcePod[] = [
  { namespace: "x", name: "a", node: "n1", ip: "10.1.0.2" },
  { namespace: "x", name: "b", node: "n2", ip: "10.2.0.3" },
];
const echo: V1Service = {
  spec: { clusterIP: "10.96.0.20", type: "NodePort", ports: [{ name: "http", port: 80, targetPort: 8080, nodePort: 30080, protocol: "TCP" }] },
};
const dns: V1Service = { spec: { clusterIP: "10.96.0.10", ports: [{ name: "dns", port: 53, protocol: "UDP" }, { name: "dns-tcp", port: 53, protocol: "TCP" }] } };
const nodes: V1Node[] = ["n1", "n2"].map((name, index) => ({
  metadata: { name },
  status: { addresses: [{ type: "Hostname", address: name }, { type: "InternalIP", address: `192.0.2.${index + 2}` }] },
}));

const plan = (texts: string[], more: { dns?: boolean } = {}) =>
  planColumns({
    destinations: texts.map(parseDestination),
    sources,
    namespace: "x",
    services: new Map([["echo", echo], ["kube-dns", dns]]),
    nodes,
    podPort: { port: 8080, protocol: "tcp" },
    dns: more.dns ?? false,
  });

test("each destination becomes columns labelled with the pod's or node's name", () => {
  assert.deepEqual(plan(["pods", "svc/echo", "nodeport/echo", "[fd00::1]:9/udp"], { dns: true }), [
    { label: "x/a (n1)", host: "10.1.0.2", port: 8080, protocol: "tcp", node: "n1" },
    { label: "x/b (n2)", host: "10.2.0.3", port: 8080, protocol: "tcp", node: "n2" },
    { label: "svc/echo", host: "10.96.0.20", port: 80, protocol: "tcp" },
    { label: "echo.x.svc.cluster.local:80", host: "echo.x.svc.cluster.local", port: 80, protocol: "tcp" },
    { label: "nodeport/echo (n1)", host: "192.0.2.2", port: 30080, protocol: "tcp", node: "n1" },
    { label: "nodeport/echo (n2)", host: "192.0.2.3", port: 30080, protocol: "tcp", node: "n2" },
    { label: "[fd00::1]:9/udp", host: "fd00::1", port: 9, protocol: "udp" },
  ]);
});

test("a Service port is chosen by number or name, with the protocol the Service gives it", () => {
  assert.deepEqual(plan(["svc/kube-dns:dns"]), [{ label: "svc/kube-dns:dns", host: "10.96.0.10", port: 53, protocol: "udp" }]);
  assert.throws(() => plan(["svc/kube-dns"]), { message: "Service `kube-dns` has 2 ports; name one, e.g. svc/kube-dns:53 (its ports: dns (53), dns-tcp (53))" });
  assert.throws(() => plan(["svc/echo:81"]), { message: "Service `echo` has no port `81`; its ports: http (80)" });
  assert.throws(() => plan(["nodeport/kube-dns:dns"]), { message: "Service `kube-dns` has no NodePort (type ClusterIP); use svc/kube-dns" });
});
