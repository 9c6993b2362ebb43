// `kubectl kdiag reach` timed on the project's cluster with the managers already present:
// N sources × N destinations (`pods --port 8080` among N server pods spread over every node),
// N = 5, 10 and 20 (BENCH_REACH_SIZES), median of BENCH_REACH_RUNS runs (default 3). Figures only.
// Run: npm run build && npm run cluster:up && node --import tsx bench/reach.ts
import { serverPod } from "../test/cluster/fixtures.ts";
import { apply, clusterNodeNames, createNamespace, ensureCluster, waitForPods } from "../test/cluster/kube.ts";
import { kdiag } from "../test/e2e/kdiag-cli.ts";

const sizes = (process.env.BENCH_REACH_SIZES ?? "5,10,20").split(",").map(Number);
const runs = Number(process.env.BENCH_REACH_RUNS ?? 3);
const largest = Math.max(...sizes);

await ensureCluster();
const ns = await createNamespace("kdiag-bench-reach");
try {
  const names = Array.from({ length: largest }, (_, index) => `bench-${String(index).padStart(2, "0")}`);
  const nodes = clusterNodeNames();
  console.log(`pods spread over ${nodes.length} node(s): ${nodes.join(", ")}`);
  await apply(ns.name, names.map((name, index) => serverPod({ name, node: nodes[index % nodes.length], labels: { bench: "reach" } })));
  await waitForPods(ns.name, "bench=reach", 180);
  const reach = async (count: number): Promise<number> => {
    const started = performance.now();
    const result = await kdiag(["reach", "-n", ns.name, ...names.slice(0, count).flatMap((name) => ["--pod", name]), "pods", "--port", "8080"]);
    if (result.exitCode !== 0) throw new Error(`reach exited ${result.exitCode}: ${String(result.stderr)}`);
    if (!String(result.stdout).startsWith(`reachability: ${count * count} of ${count * count} reachable`)) throw new Error(String(result.stdout));
    return performance.now() - started;
  };
  const firstMs = await reach(largest);
  console.log(`first run, injecting ${largest} managers: ${(firstMs / 1000).toFixed(2)} s`);
  for (const size of sizes) {
    const times = [];
    for (let run = 0; run < runs; run++) times.push(await reach(size));
    times.sort((a, b) => a - b);
    console.log(`reach ${size}×${size} (managers present): median ${(times[Math.floor(times.length / 2)]! / 1000).toFixed(2)} s over ${runs} runs (min ${(times[0]! / 1000).toFixed(2)} s)`);
  }
} finally {
  await ns.cleanup();
}
