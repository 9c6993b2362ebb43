// `kubectl kdiag reach` on the project's cluster: three server pods reach each other on 8080
// (all `.`), a closed port is `X` from every one of them, --http shows who answered, -o json
// carries the same, --expect exits 1 on a difference, and bad input is one line that creates
// nothing. (Services are left to the multi-node tests: this cluster may have no kube-proxy.)
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { serverPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, nodeName, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, getEphemeralContainers, kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;
let dir: string;
const pods = ["r-a", "r-b", "r-c"];
let ipOfA: string;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-reach");
  dir = mkdtempSync(path.join(tmpdir(), "kdiag-reach-"));
  await apply(ns.name, [...pods.map((name) => serverPod({ name, labels: { role: "reach" } })), serverPod({ name: "r-fresh", labels: { role: "fresh" } })]);
  await waitForPods(ns.name, "app=server");
  ipOfA = await podIP(ns.name, "r-a");
});
after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await ns?.cleanup();
});

const label = (pod: string) => `${ns.name}/${pod} (${nodeName})`;

function expectedMatrix(columns: string[], cells: (row: number) => string[]): string {
  const table = [["-", ...columns], ...pods.map((pod, row) => [label(pod), ...cells(row)])];
  const widths = table[0]!.map((_, column) => Math.max(...table.map((line) => line[column]!.length)));
  return table.map((line) => line.map((cell, column) => (column === line.length - 1 ? cell : cell.padEnd(widths[column]!))).join("   ")).join("\n") + "\n";
}

// Output whole, last newline included: it is compared byte for byte and saved as a baseline.
const reach = (args: string[]) => kdiag(["reach", "-n", ns.name, "-l", "role=reach", ...args], { stripFinalNewline: false });

test("three pods reach each other on 8080 and the first by HOST:PORT, and a closed port is X from every one", async () => {
  const result = await reach(["pods", "--port", "8080", "--to", `${ipOfA}:8080`, "--to", `${ipOfA}:9`, "--probe-timeout", "1s"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const matrix = expectedMatrix([...pods.map(label), `${ipOfA}:8080`, `${ipOfA}:9`], () => [".", ".", ".", ".", "X"]);
  assert.equal(String(result.stdout), `reachability: 12 of 15 reachable\n${matrix}\nnot reached:\n  ${ipOfA}:9: refused (3)\n`);
  writeFileSync(path.join(dir, "baseline.txt"), String(result.stdout));
});

test("--http shows which pod answered each destination", async () => {
  const result = await reach(["pods", "--port", "8080", "--http"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const answers = pods.map((pod) => `  ${label(pod)}: hello from ${pod} (3)`).join("\n");
  assert.ok(String(result.stdout).endsWith(`http answers:\n${answers}\n`), String(result.stdout));
});

test("--latency prints the milliseconds each connection took", async () => {
  const result = await reach(["pods", "--port", "8080", "--latency"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const rows = String(result.stdout).split("\n").slice(2, 5);
  for (const row of rows) assert.match(row, /^\S+ \(\S+\)( +\d+(\.\d)?){3}$/, row);
});

test("-o json carries every probe with its mark, latency and error", async () => {
  const result = await reach(["pods", "--port", "8080", "--to", `${ipOfA}:9`, "-o", "json"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const document = JSON.parse(String(result.stdout)) as {
    summary: { probes: number; reachable: number; unknown: number };
    sources: Array<{ name: string; node: string; ip: string }>;
    destinations: Array<{ label: string; host: string; port: number; protocol: string }>;
    probes: Array<{ source: string; destination: string; mark: string; latencyMs?: number; error?: string }>;
  };
  assert.deepEqual(document.summary, { probes: 12, reachable: 9, unknown: 0 });
  assert.deepEqual(document.sources.map((source) => [source.name, source.node]), pods.map((pod) => [pod, nodeName]));
  assert.deepEqual(document.destinations.at(-1), { label: `${ipOfA}:9`, host: ipOfA, port: 9, protocol: "tcp" });
  const closed = document.probes.filter((probe) => probe.destination === `${ipOfA}:9`);
  assert.deepEqual(closed.map((probe) => [probe.mark, probe.error]), [["X", "refused"], ["X", "refused"], ["X", "refused"]]);
  assert.ok(document.probes.filter((probe) => probe.mark === ".").every((probe) => typeof probe.latencyMs === "number"));
});

test("--expect agrees with a saved run and exits 0", async () => {
  const result = await reach(["pods", "--port", "8080", "--to", `${ipOfA}:8080`, "--to", `${ipOfA}:9`, "--expect", path.join(dir, "baseline.txt")]);
  assert.equal(result.exitCode, 0, String(result.stdout));
  assert.match(String(result.stdout), /^reachability: correct 15, incorrect 0\n/);
});

test("--expect with a baseline where the closed port was open prints expected, observed and the comparison, and exits 1", async () => {
  const open = expectedMatrix([...pods.map(label), `${ipOfA}:8080`, `${ipOfA}:9`], () => [".", ".", ".", ".", "."]);
  writeFileSync(path.join(dir, "open.txt"), open);
  const result = await reach(["pods", "--port", "8080", "--to", `${ipOfA}:8080`, "--to", `${ipOfA}:9`, "--expect", path.join(dir, "open.txt")]);
  assert.equal(result.exitCode, 1, String(result.stderr));
  const out = String(result.stdout);
  assert.match(out, new RegExp(`^reachability: correct 12, incorrect 3 \\(all sources fail on ${ipOfA.replaceAll(".", "\\.")}:9\\)\n`));
  assert.ok(out.includes(`expected (${path.join(dir, "open.txt")}):\n${open}`), out);
  const comparison = expectedMatrix([...pods.map(label), `${ipOfA}:8080`, `${ipOfA}:9`], () => [".", ".", ".", ".", "X"]);
  assert.ok(out.endsWith(`comparison (. as expected, X differs):\n${comparison}`), out);
});

test("bad input is one line and adds no container: an unknown Service, a port out of range, no source pods, more sources than --max-sources", async () => {
  const cases: Array<[string[], number, string]> = [
    [["-l", "role=fresh", "svc/nope"], 1, `kdiag: Service \`nope\` not found in namespace \`${ns.name}\``],
    [["-l", "role=fresh", "10.0.0.1:70000"], 2, "kdiag: port `70000` in `10.0.0.1:70000` is out of range (1–65535)"],
    [["-l", "role=nothing", "pods", "--port", "8080"], 1, `kdiag: no Running pod matches -l \`role=nothing\` in namespace \`${ns.name}\``],
    [
      ["-l", "app=server", "--max-sources", "2", "pods", "--port", "8080"],
      1,
      "kdiag: 4 pods are sources; reach adds kdiag's container to each (it stays until the pod is replaced) — narrow the selection, or pass --max-sources 4",
    ],
  ];
  for (const [args, exitCode, line] of cases) {
    const result = await kdiag(["reach", "-n", ns.name, ...args], { stripFinalNewline: false });
    assert.equal(result.exitCode, exitCode, String(result.stderr));
    assert.deepEqual(errorLines(result.stderr), [line]);
    assert.equal(String(result.stdout), "");
  }
  // The source pod of the refused runs got no manager.
  assert.deepEqual(await getEphemeralContainers(ns.name, "r-fresh"), []);
});
