// `kubectl kdiag rules` on the project's cluster: a pod with a redirect running shows kdiag's
// nftables table, every line of it marked; a pod that sent UDP to a Service shows the conntrack
// entry to the ClusterIP (its namespace tracks connections because the redirect's NAT rule uses
// conntrack), --conntrack-delete --yes removes it and the listing is then empty; bad input is one
// line, exit 2, and injects nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { busyboxPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, serviceClusterIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, getEphemeralContainers, kdiag, startRedirInBackground, type BackgroundRedir } from "./kdiag-cli.ts";

let ns: TestNamespace;
let redir: BackgroundRedir;
let clusterIP: string;
const servicePort = 5353;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-rules");
  await apply(ns.name, [
    busyboxPod({ name: "udp-client" }),
    busyboxPod({ name: "untouched", labels: { role: "untouched" } }),
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "udp-echo" },
      spec: { selector: { role: "untouched" }, ports: [{ name: "dns", protocol: "UDP", port: servicePort, targetPort: servicePort }] },
    },
  ]);
  await waitForPods(ns.name, "app=busybox");
  clusterIP = await serviceClusterIP(ns.name, "udp-echo");
  redir = await startRedirInBackground(["-n", ns.name, "--pod", "udp-client", "18081:9"]);
});
after(async () => {
  await redir?.stop();
  await ns?.cleanup();
});

const rules = (args: string[]) => kdiag(["rules", "-n", ns.name, "--pod", "udp-client", ...args]);

test("rules on a pod with a redirect running shows kdiag's nftables table, every line of it marked # kdiag", async () => {
  const result = await rules([]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const out = String(result.stdout);
  assert.match(out, /^# nftables$/m);
  assert.match(out, /^table inet kdiag_\d+_[0-9a-f]{6} \{.*  # kdiag$/m);
  assert.match(out, /^\t\ttcp dport 18081 redirect to :\d+ comment "kdiag port 18081"  # kdiag$/m);
  // A pod without legacy tables: no empty iptables sections.
  assert.doesNotMatch(out, /^# iptables-legacy/m);
  const json = JSON.parse(String((await rules(["-o", "json", "--chain", "incoming_18081"])).stdout)) as {
    pod: string;
    backends: Array<{ backend: string; text: string; kdiagLines: number[]; kdiagTables: string[] }>;
  };
  const nft = json.backends.find((backend) => backend.backend === "nft")!;
  assert.equal(json.pod, "udp-client");
  assert.equal(nft.kdiagTables.length, 1);
  // --chain keeps the table's first and last lines around the chain's block, and nothing else.
  assert.match(nft.text, /^table inet kdiag_\d+_[0-9a-f]{6} \{[^\n]*\n\tchain incoming_18081 \{\n\t\ttype nat hook prerouting [^\n]*\n\t\ttcp dport 18081 redirect to :\d+ [^\n]*\n\t\}\n\}\n$/);
  // Every line but the closing braces is kdiag's.
  assert.deepEqual(nft.kdiagLines, [0, 1, 2, 3]);
});

test("a UDP datagram to a Service shows in the pod's conntrack, and --conntrack-delete --yes removes it", async () => {
  // busybox's nc has no UDP; its nslookup sends a DNS query (no one answers on this port).
  await kubectl(["-n", ns.name, "exec", "udp-client", "--", "sh", "-c", `nslookup -port=${servicePort} -timeout=1 -retry=1 probe.invalid ${clusterIP}; true`]);
  const listing = await rules(["--conntrack", "--proto", "udp", "--dport", String(servicePort)]);
  assert.equal(listing.exitCode, 0, String(listing.stderr));
  const lines = String(listing.stdout).trimEnd().split("\n");
  assert.match(lines[0]!, /^PROTO +ORIGINAL +REPLY +STATE +TIMEOUT$/);
  assert.ok(lines.slice(1).some((line) => new RegExp(`^udp +\\S+:\\d+ -> ${clusterIP.replaceAll(".", "\\.")}:${servicePort} `).test(line)), lines.join("\n"));

  const deleted = await rules(["--conntrack-delete", "--proto", "udp", "--dst", clusterIP, "--dport", String(servicePort), "--yes"]);
  assert.equal(deleted.exitCode, 0, String(deleted.stderr));
  const count = Number(/^deleted (\d+) conntrack entr(y|ies) of pod udp-client$/.exec(String(deleted.stdout).trim())?.[1]);
  assert.ok(count >= 1, String(deleted.stdout));

  const after = await rules(["--conntrack", "--proto", "udp", "--dport", String(servicePort), "-o", "json"]);
  assert.equal(after.exitCode, 0, String(after.stderr));
  assert.deepEqual((JSON.parse(String(after.stdout)) as { entries: unknown[] }).entries, []);
});

test("--conntrack-delete without a terminal and without --yes is refused in one line, before any manager is injected", async () => {
  const result = await kdiag(["rules", "-n", ns.name, "-l", "role=untouched", "--conntrack-delete", "--proto", "udp", "--dport", "53"]);
  assert.equal(result.exitCode, 2);
  assert.deepEqual(errorLines(result.stderr), ["kdiag: --conntrack-delete asks before deleting and stdin is not a terminal; add --yes to delete without asking"]);
  assert.deepEqual(await getEphemeralContainers(ns.name, "untouched"), []);
});

test("bad input is one line, exit 2, and injects nothing", async () => {
  const cases: Array<[string[], string]> = [
    [["--dport", "70000", "--conntrack"], "kdiag: --dport `70000` is out of range (1–65535)"],
    [["--conntrack", "--dst", "10.0.0.300"], "kdiag: --dst `10.0.0.300` is not an IP address"],
    [["--table", "nat;flush"], "kdiag: --table `nat;flush` is not a table or chain name (letters, digits, _ . -; at most 64)"],
    [["--proto", "udp"], "kdiag: --proto filters conntrack entries; add --conntrack (or --conntrack-delete)"],
  ];
  for (const [args, message] of cases) {
    const result = await kdiag(["rules", "-n", ns.name, "-l", "role=untouched", ...args]);
    assert.equal(result.exitCode, 2, `${args.join(" ")}: ${String(result.stderr)}`);
    assert.deepEqual(errorLines(result.stderr), [message], args.join(" "));
  }
  assert.deepEqual(await getEphemeralContainers(ns.name, "untouched"), []);
});

test("a table the pod does not have is one line naming the tables it has, exit 2", async () => {
  const result = await rules(["--table", "nosuchtable"]);
  assert.equal(result.exitCode, 2);
  assert.match(errorLines(result.stderr).join("\n"), /^kdiag: table `nosuchtable` is not in pod udp-client's rules; its tables: .*kdiag_\d+_[0-9a-f]{6}/);
});
