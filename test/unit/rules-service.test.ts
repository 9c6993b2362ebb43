// `rules --node N --service S` on real dumps of this project's cluster (fixtures/kube-proxy, made
// as its README says): a Service and its EndpointSlices become what to look for, and only the
// rules kube-proxy wrote for that Service are kept, in iptables mode and in nftables mode.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import type { V1EndpointSlice, V1Service } from "@kubernetes/client-node";
import type { RuleDump } from "../../api/gen/kdiag.ts";
import { toRulesConfig, toServiceRef } from "../../pkg/commands/rules/config.ts";
import { detectProxyModes, formatServiceRules, selectServiceSections } from "../../pkg/commands/rules/format-service.ts";
import { selectServiceIptablesLines } from "../../pkg/commands/rules/service-iptables.ts";
import { selectServiceNftLines } from "../../pkg/commands/rules/service-nft.ts";
import { toServiceTarget, type ServiceTarget } from "../../pkg/commands/rules/service-target.ts";
import { buildNodeDebugPod, createNodeDebugPodName } from "../../pkg/kube/node-debug-pod.ts";

const fixtures = path.join(import.meta.dirname, "fixtures/kube-proxy");
const read = (file: string) => readFileSync(path.join(fixtures, file), "utf8");
const iptables = read("iptables-nft-save.txt");
const ip6tables = read("ip6tables-nft-save.txt");
const nft = read("nft-list-ruleset.txt");
const node2 = read("node-2-iptables-nft-save.txt");
const services = JSON.parse(read("services.json")) as V1Service[];
const slices = JSON.parse(read("endpointslices.json")) as V1EndpointSlice[];

function target(name: string, port?: number | string): ServiceTarget {
  const service = services.find((candidate) => candidate.metadata?.name === name);
  assert.ok(service, name);
  return toServiceTarget(service, slices.filter((slice) => slice.metadata?.labels?.["kubernetes.io/service-name"] === name), port);
}

const dump = (backend: string, text: string): RuleDump => ({ backend, text, error: "", truncated: false, kdiagTables: [] });

test("a Service and its EndpointSlices become kube-proxy's names, the addresses its rules match, and the endpoints behind each port", () => {
  assert.deepEqual(target("echo"), {
    namespace: "svcrules-capture",
    name: "echo",
    type: "ClusterIP",
    addresses: ["10.96.0.134"],
    ports: [
      {
        name: "http",
        protocol: "tcp",
        port: 80,
        targetPort: "8080",
        endpoints: [
          { address: "10.88.0.5", port: 8080, node: "kdiag-node", ready: true, terminating: false },
          { address: "10.88.0.4", port: 8080, node: "kdiag-node", ready: true, terminating: false },
        ],
      },
    ],
  });
  assert.deepEqual(target("echo-dual").addresses, ["10.96.0.72", "fd00:96::451a"]);
  assert.deepEqual(target("nobody-local").ports.map((port) => [port.nodePort, port.endpoints]), [[32551, []]]);
  // --service NAME:PORT picks one port by number or by name; one the Service lacks is refused, naming those it has.
  assert.equal(target("echo", 80).ports.length, 1);
  assert.equal(target("echo", "http").ports.length, 1);
  assert.throws(() => target("echo", 81), { name: "KdiagError", message: "Service `svcrules-capture/echo` has no port `81`; its ports: http 80/TCP" });
  assert.throws(() => target("nobody-local", "dns"), { message: "Service `svcrules-capture/nobody-local` has no port `dns`; its ports: web 80/TCP (NodePort 32551)" });
});

test("iptables mode: a ClusterIP Service with two endpoints is its KUBE-SERVICES rule, its KUBE-SVC chain and both KUBE-SEP chains, nothing of its neighbours", () => {
  assert.deepEqual(selectServiceIptablesLines(iptables, target("echo")), [
    "*nat",
    ":KUBE-SEP-2LEBERQCNIV2ZFXH - [0:0]",
    ":KUBE-SEP-53WF32F5UJZORZEM - [0:0]",
    ":KUBE-SERVICES - [0:0]",
    ":KUBE-SVC-JFIAWU4JWS3BI5HY - [0:0]",
    '-A KUBE-SEP-2LEBERQCNIV2ZFXH -s 10.88.0.5/32 -m comment --comment "svcrules-capture/echo:http" -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-2LEBERQCNIV2ZFXH -p tcp -m comment --comment "svcrules-capture/echo:http" -m tcp -j DNAT --to-destination 10.88.0.5:8080',
    '-A KUBE-SEP-53WF32F5UJZORZEM -s 10.88.0.4/32 -m comment --comment "svcrules-capture/echo:http" -j KUBE-MARK-MASQ',
    '-A KUBE-SEP-53WF32F5UJZORZEM -p tcp -m comment --comment "svcrules-capture/echo:http" -m tcp -j DNAT --to-destination 10.88.0.4:8080',
    '-A KUBE-SERVICES -d 10.96.0.134/32 -p tcp -m comment --comment "svcrules-capture/echo:http cluster IP" -m tcp --dport 80 -j KUBE-SVC-JFIAWU4JWS3BI5HY',
    '-A KUBE-SVC-JFIAWU4JWS3BI5HY ! -s 10.88.0.0/24 -d 10.96.0.134/32 -p tcp -m comment --comment "svcrules-capture/echo:http cluster IP" -m tcp --dport 80 -j KUBE-MARK-MASQ',
    '-A KUBE-SVC-JFIAWU4JWS3BI5HY -m comment --comment "svcrules-capture/echo:http -> 10.88.0.4:8080" -m statistic --mode random --probability 0.50000000000 -j KUBE-SEP-53WF32F5UJZORZEM',
    '-A KUBE-SVC-JFIAWU4JWS3BI5HY -m comment --comment "svcrules-capture/echo:http -> 10.88.0.5:8080" -j KUBE-SEP-2LEBERQCNIV2ZFXH',
    "COMMIT",
  ]);
  // The IPv4-only Service has nothing in the IPv6 dump.
  assert.deepEqual(selectServiceIptablesLines(ip6tables, target("echo")), []);
});

test("iptables mode: a Service without endpoints is the filter table's REJECTs 'has no endpoints', for its ClusterIP and its NodePort", () => {
  assert.deepEqual(selectServiceIptablesLines(iptables, target("nobody-local")), [
    "*filter",
    ":KUBE-EXTERNAL-SERVICES - [0:0]",
    ":KUBE-SERVICES - [0:0]",
    '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "svcrules-capture/nobody-local:web has no endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 32551 -j REJECT --reject-with icmp-port-unreachable',
    '-A KUBE-SERVICES -d 10.96.0.32/32 -p tcp -m comment --comment "svcrules-capture/nobody-local:web has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable',
    "COMMIT",
  ]);
});

test("iptables mode: an externalTrafficPolicy Local NodePort with an unnamed port leads through KUBE-NODEPORTS to its KUBE-EXT and KUBE-SVL chains", () => {
  const lines = selectServiceIptablesLines(iptables, target("echo-local"));
  const chains = lines.filter((line) => line.startsWith(":")).map((line) => line.split(" ")[0]);
  assert.deepEqual(chains, [
    ":KUBE-EXT-OIP6M47MRZFUUU55",
    ":KUBE-NODEPORTS",
    ":KUBE-SEP-AHHUNUS4IK3EIN6O",
    ":KUBE-SEP-ZC62USXNYW6EVTGU",
    ":KUBE-SERVICES",
    ":KUBE-SVC-OIP6M47MRZFUUU55",
    ":KUBE-SVL-OIP6M47MRZFUUU55",
  ]);
  assert.ok(lines.includes('-A KUBE-NODEPORTS -p tcp -m comment --comment "svcrules-capture/echo-local" -m tcp --dport 30348 -j KUBE-EXT-OIP6M47MRZFUUU55'));
  // The comment-less jump to the local-endpoints chain is followed too.
  assert.ok(lines.includes("-A KUBE-EXT-OIP6M47MRZFUUU55 -j KUBE-SVL-OIP6M47MRZFUUU55"));
  // `svcrules-capture/echo` is a prefix of `svcrules-capture/echo-local`, not its name.
  assert.ok(selectServiceIptablesLines(iptables, target("echo")).every((line) => !line.includes("echo-local")));
});

test("iptables mode: externalTrafficPolicy Local on a node without a local endpoint is the filter table's DROP 'has no local endpoints', before the NAT chains", () => {
  const lines = selectServiceIptablesLines(node2, target("echo-local"));
  assert.deepEqual(lines.slice(0, 4), [
    "*filter",
    ":KUBE-EXTERNAL-SERVICES - [0:0]",
    '-A KUBE-EXTERNAL-SERVICES -p tcp -m comment --comment "svcrules-capture/echo-local has no local endpoints" -m addrtype --dst-type LOCAL -m tcp --dport 30348 -j DROP',
    "COMMIT",
  ]);
  // The ClusterIP still leads to both endpoints (on kdiag-node); the NodePort has no local chain to go to.
  assert.equal(lines.filter((line) => line.includes("-j DNAT")).length, 2);
  assert.ok(!lines.some((line) => line.includes("KUBE-SVL-")));
});

test("iptables mode: without comments (a large cluster's kube-proxy drops them on endpoint rules) the chains are still found from the ClusterIP and the jumps", () => {
  const bare = iptables.replace(/ -m comment --comment "[^"]*"/g, "");
  const lines = selectServiceIptablesLines(bare, target("echo"));
  assert.equal(lines.filter((line) => /^-A KUBE-SEP-/.test(line)).length, 4);
  assert.ok(lines.includes("-A KUBE-SEP-53WF32F5UJZORZEM -p tcp -m tcp -j DNAT --to-destination 10.88.0.4:8080"));
});

test("iptables mode: a dual-stack Service's IPv6 rules come from the IPv6 dump", () => {
  const lines = selectServiceIptablesLines(ip6tables, target("echo-dual"));
  assert.ok(lines.includes("-A KUBE-SEP-Q6THENUXDXE3OSQM -p tcp -m comment --comment \"svcrules-capture/echo-dual:http\" -m tcp -j DNAT --to-destination [fd00:88::4]:8080"));
  assert.equal(lines.filter((line) => line.includes("DNAT")).length, 2);
});

test("nftables mode: a ClusterIP Service with two endpoints is its service-ips and cluster-ips elements, its service chain and both endpoint chains", () => {
  assert.deepEqual(selectServiceNftLines(nft, target("echo")), [
    "table ip kube-proxy {",
    "\tset cluster-ips {",
    "\t\ttype ipv4_addr",
    '\t\tcomment "Active ClusterIPs"',
    "\t\telements = { 10.96.0.134 }",
    "\t}",
    "",
    "\tmap service-ips {",
    "\t\ttype ipv4_addr . inet_proto . inet_service : verdict",
    '\t\tcomment "ClusterIP, ExternalIP and LoadBalancer IP traffic"',
    "\t\telements = { 10.96.0.134 . tcp . 80 : goto service-UMZB2ID5-svcrules-capture/echo/tcp/http }",
    "\t}",
    "",
    "\tchain endpoint-V6JQEJ5W-svcrules-capture/echo/tcp/http__10.88.0.4/8080 {",
    "\t\tip saddr 10.88.0.4 jump mark-for-masquerade",
    "\t\tmeta l4proto tcp dnat to 10.88.0.4:8080",
    "\t}",
    "",
    "\tchain endpoint-EUQFERJZ-svcrules-capture/echo/tcp/http__10.88.0.5/8080 {",
    "\t\tip saddr 10.88.0.5 jump mark-for-masquerade",
    "\t\tmeta l4proto tcp dnat to 10.88.0.5:8080",
    "\t}",
    "",
    "\tchain service-UMZB2ID5-svcrules-capture/echo/tcp/http {",
    "\t\tip daddr 10.96.0.134 ip saddr != 10.88.0.0/24 jump mark-for-masquerade",
    "\t\tnumgen random mod 2 vmap { 0 : goto endpoint-V6JQEJ5W-svcrules-capture/echo/tcp/http__10.88.0.4/8080, 1 : goto endpoint-EUQFERJZ-svcrules-capture/echo/tcp/http__10.88.0.5/8080 }",
    "\t}",
    "}",
  ]);
});

test("nftables mode: a Service without endpoints is its elements in no-endpoint-services and no-endpoint-nodeports, with their comments", () => {
  const lines = selectServiceNftLines(nft, target("nobody-local"));
  assert.ok(lines.includes('\t\telements = { 10.96.0.32 . tcp . 80 comment "svcrules-capture/nobody-local:web" : goto reject-chain }'));
  assert.ok(lines.includes('\t\telements = { tcp . 32551 comment "svcrules-capture/nobody-local:web" : goto reject-chain }'));
  assert.ok(lines.every((line) => !line.includes("svcrules-capture/nobody:")));
});

test("nftables mode: a dual-stack Service shows in both kube-proxy tables; an unnamed port's NodePort in service-nodeports", () => {
  const dual = selectServiceNftLines(nft, target("echo-dual"));
  assert.deepEqual(dual.filter((line) => line.startsWith("table ")), ["table ip kube-proxy {", "table ip6 kube-proxy {"]);
  assert.ok(dual.includes("\tchain endpoint-7Y5NYURV-svcrules-capture/echo-dual/tcp/http__fd00.88..4/8080 {"));
  const local = selectServiceNftLines(nft, target("echo-local"));
  assert.ok(local.includes("\t\telements = { tcp . 30348 : goto external-G2IKTX4X-svcrules-capture/echo-local/tcp/ }"));
  assert.ok(local.includes("\tchain local-G2IKTX4X-svcrules-capture/echo-local/tcp/ {"));
  assert.ok(selectServiceNftLines(nft, target("echo")).every((line) => !line.includes("echo-local") && !line.includes("echo-dual")));
});

test("the node's kube-proxy mode is read from its rules, and the report opens with the Service as the API describes it", () => {
  assert.deepEqual(detectProxyModes([dump("iptables-nft", iptables), dump("nft", "table ip nat {\n}\n")]), ["iptables"]);
  assert.deepEqual(detectProxyModes([dump("iptables-nft", ""), dump("nft", nft)]), ["nftables"]);
  const ipvs = "*nat\n:KUBE-LOAD-BALANCER - [0:0]\n-A KUBE-SERVICES -m set --match-set KUBE-CLUSTER-IP dst,dst -j ACCEPT\nCOMMIT\n";
  assert.deepEqual(detectProxyModes([dump("iptables-nft", ipvs)]), ["ipvs"]);
  const dumps = [dump("iptables-nft", iptables), dump("ip6tables-nft", ip6tables), dump("nft", "")];
  const text = formatServiceRules({ node: "kdiag-node", target: target("nobody"), modes: detectProxyModes(dumps), sections: selectServiceSections(dumps, target("nobody")) });
  assert.equal(
    text,
    "# Service svcrules-capture/nobody (ClusterIP 10.96.0.142) on node kdiag-node, kube-proxy iptables mode\n" +
      "#   http 80/TCP -> 8080: no endpoints\n\n" +
      "# iptables-nft (IPv4)\n*filter\n:KUBE-SERVICES - [0:0]\n" +
      '-A KUBE-SERVICES -d 10.96.0.142/32 -p tcp -m comment --comment "svcrules-capture/nobody:http has no endpoints" -m tcp --dport 80 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n',
  );
  const ipvsText = formatServiceRules({ node: "n2", target: target("nobody"), modes: ["ipvs"], sections: [] });
  assert.match(ipvsText, /^# kube-proxy runs in ipvs mode on node n2: kdiag does not list ipvs virtual servers/m);
  assert.match(ipvsText, /^# no rule on node n2 names this Service: /m);
});

test("a comment cannot forge lines: a newline in it stays inside the rule, escaped", () => {
  const forged = iptables.replace('"svcrules-capture/nobody:http has no endpoints"', '"svcrules-capture/nobody:http has no endpoints\nCOMMIT\n*raw"');
  const text = formatServiceRules({ node: "n", target: target("nobody"), modes: ["iptables"], sections: selectServiceSections([dump("iptables-nft", forged)], target("nobody")) });
  assert.ok(text.includes('has no endpoints\\nCOMMIT\\n*raw" -m tcp --dport 80'), text);
  assert.equal(text.split("\n").filter((line) => line === "COMMIT").length, 1);
});

test("--service takes [NAMESPACE/]NAME[:PORT] and needs --node; bad input names the flag and the value", () => {
  assert.deepEqual(toServiceRef("web"), { name: "web" });
  assert.deepEqual(toServiceRef("shop/web:8080"), { namespace: "shop", name: "web", port: 8080 });
  assert.deepEqual(toServiceRef("web:http"), { name: "web", port: "http" });
  const config = toRulesConfig({ node: "kdiag-node", service: "shop/web" });
  assert.deepEqual([config.place, config.mode], [{ kind: "node", node: "kdiag-node" }, { kind: "service", service: { namespace: "shop", name: "web" } }]);
  assert.deepEqual(toRulesConfig({ node: "kdiag-node", conntrack: true, dst: "10.96.0.10" }).place, { kind: "node", node: "kdiag-node" });
  const cases: Array<[Parameters<typeof toRulesConfig>[0], string]> = [
    [{ service: "web" }, "--service needs --node NODE: a Service's kube-proxy rules are read on a node"],
    [{ node: "n1", service: "web:70000" }, "port `70000` in `--service web:70000` is out of range (1–65535)"],
    [{ node: "n1", service: "web:0" }, "port `0` in `--service web:0` is out of range (1–65535)"],
    [{ node: "n1", service: "a/b/c" }, "--service `a/b/c` is not a Service; use NAME, NAMESPACE/NAME or either with :PORT"],
    [{ node: "n1", service: "Web" }, "--service `Web` is not a Service; use NAME, NAMESPACE/NAME or either with :PORT"],
    [{ node: "n1", service: "web", table: "nat" }, "--service picks the rules itself; drop --table"],
    [{ node: "n1", service: "web", conntrackDelete: true }, "--service picks the rules itself; drop --conntrack-delete"],
    [{ node: "n1", pod: "p" }, "--node reads the node's rules through kdiag's own debug pod; drop --pod"],
    [{ node: "n1", selector: "a=b" }, "--node reads the node's rules through kdiag's own debug pod; drop -l"],
    [{ node: "N_1" }, "--node `N_1` is not a node name"],
  ];
  for (const [args, message] of cases) assert.throws(() => toRulesConfig(args), { name: "UsageError", message });
});

test("the node debug pod runs on the node in its network, tolerates every taint, ends by itself, and is named for what it is", () => {
  const name = createNodeDebugPodName();
  assert.match(name, /^kdiag-node-debug-[0-9a-f]{6}$/);
  const pod = buildNodeDebugPod({ name, node: "kdiag-node", image: "kdiag/manager:v1", pullPolicy: "IfNotPresent" });
  assert.equal(pod.metadata?.name, name);
  assert.equal(pod.spec?.nodeName, "kdiag-node");
  assert.equal(pod.spec?.hostNetwork, true);
  assert.deepEqual(pod.spec?.tolerations, [{ operator: "Exists" }]);
  assert.equal(pod.spec?.restartPolicy, "Never");
  assert.equal(pod.spec?.activeDeadlineSeconds, 900);
  assert.equal(pod.spec?.automountServiceAccountToken, false);
  const [container] = pod.spec?.containers ?? [];
  assert.deepEqual(container?.command, ["/bin/busybox", "sleep", "900"]);
  assert.equal(container?.image, "kdiag/manager:v1");
  // The idle container has nothing; kdiag's manager comes as its own ephemeral container with its profile.
  assert.deepEqual(container?.securityContext, { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
});
