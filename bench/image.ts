// The manager image, measured in the local cluster's own containerd (one run, figures printed):
//   1. its size: the docker archive that cluster:up imports, layer by layer;
//   2. the manager's start, process start → `Listening on …`, against a bare `node` start in the
//      same image measured in the same run (both through `ctr run`, so the container's own cost
//      is in both and the difference is the manager's);
//   3. the idle manager's RSS in the image (Debian's node, not the one running this script).
// Run: npm run build && npm run cluster:up && node --import tsx bench/image.ts
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import path from "node:path";
import { ensureCluster, repoRoot } from "../test/cluster/kube.ts";

const runs = Number(process.env.BENCH_IMAGE_RUNS ?? 7);
const socket = "/run/kdiag-cluster/containerd.sock";
const version = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
const image = `kdiag/manager:v${version}`;
const MiB = 1024 * 1024;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function findArchive(): string {
  const listing = execFileSync("bash", [path.join(repoRoot, "test/cluster/images/build.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const line = listing.split("\n").find((l) => l.startsWith(`${image} `));
  if (!line) throw new Error(`${image} is not built: run npm run build first`);
  return line.slice(image.length + 1);
}

function listLayers(archive: string): { name: string; bytes: number }[] {
  const manifest = JSON.parse(execFileSync("tar", ["-xOf", archive, "manifest.json"], { encoding: "utf8" })) as {
    Layers: string[];
  }[];
  const sizes = new Map(
    execFileSync("tar", ["-tvf", archive], { encoding: "utf8" })
      .trim()
      .split("\n")
      .map((row) => row.trim().split(/\s+/))
      .map((cols) => [cols[5] ?? "", Number(cols[2])] as const),
  );
  return (manifest[0]?.Layers ?? []).map((name) => ({ name, bytes: sizes.get(name) ?? NaN }));
}

/** containerd's full reference for the image (it normalizes short names with a default host). */
function findReference(): string {
  const names = execFileSync("ctr", ["-a", socket, "-n", "k8s.io", "images", "ls", "-q"], { encoding: "utf8" });
  const found = names.split("\n").find((name) => name === image || name.endsWith(`/${image}`));
  if (!found) throw new Error(`${image} is not in the cluster's containerd: run npm run cluster:up`);
  return found;
}

/** Milliseconds from `ctr run` to the first stdout line matching `ready`. */
function timeToLine(reference: string, args: string[], ready: RegExp): Promise<number> {
  const id = `kdiag-bench-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const started = performance.now();
  const child = spawn("ctr", ["-a", socket, "-n", "k8s.io", "run", "--rm", "--privileged", reference, id, ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (data: Buffer) => {
      output += data;
      if (ready.test(output)) {
        const elapsed = performance.now() - started;
        // The bare node run may already have exited by itself; the manager keeps running.
        spawnSync("ctr", ["-a", socket, "-n", "k8s.io", "task", "kill", "-s", "SIGKILL", id], { stdio: "ignore" });
        child.on("close", () => resolve(elapsed));
      }
    });
    child.stderr.on("data", (data: Buffer) => (output += data));
    child.on("close", (code) => {
      if (!ready.test(output)) reject(new Error(`ctr run ${args.join(" ")} exited ${code}: ${output.trim()}`));
    });
  });
}

/** The RSS of an idle manager started from the image, read a few seconds after it listens. */
async function measureIdleRss(reference: string): Promise<number> {
  const id = `kdiag-bench-rss-${process.pid}`;
  const child = spawn("ctr", ["-a", socket, "-n", "k8s.io", "run", "--rm", "--privileged", reference, id], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  try {
    await new Promise<void>((resolve) => child.stdout.on("data", (data: Buffer) => /Listening on/.test(String(data)) && resolve()));
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const tasks = execFileSync("ctr", ["-a", socket, "-n", "k8s.io", "task", "ls"], { encoding: "utf8" });
    const init = tasks.split("\n").find((row) => row.startsWith(`${id} `))?.split(/\s+/)[1];
    // The task is kdiag-init, the image's entrypoint; the manager is its node child.
    const children = readFileSync(`/proc/${init}/task/${init}/children`, "utf8").trim().split(/\s+/);
    const manager = children.find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "node");
    if (!manager) throw new Error(`no node process under kdiag-init (pid ${init}) in ${reference}`);
    const status = readFileSync(`/proc/${manager}/status`, "utf8");
    return Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]) * 1024;
  } finally {
    spawnSync("ctr", ["-a", socket, "-n", "k8s.io", "task", "kill", "-s", "SIGKILL", id], { stdio: "ignore" });
    await new Promise((resolve) => child.on("close", resolve));
  }
}

await ensureCluster();
const archive = findArchive();
console.log(`image ${image}: ${(statSync(archive).size / MiB).toFixed(1)} MiB uncompressed`);
for (const layer of listLayers(archive)) console.log(`  layer ${layer.name}: ${(layer.bytes / MiB).toFixed(1)} MiB`);

const reference = findReference();
const bareNode: number[] = [];
const manager: number[] = [];
for (let i = 0; i < runs; i++) {
  bareNode.push(await timeToLine(reference, ["/usr/bin/node", "-e", "console.log('ready')"], /ready/));
  manager.push(await timeToLine(reference, [], /^Listening on 127\.0\.0\.1:\d+$/m));
}
const node = median(bareNode);
const started = median(manager);
console.log(`container + bare node start: ${node.toFixed(0)} ms (median of ${runs})`);
console.log(`container + manager to "Listening on": ${started.toFixed(0)} ms (median of ${runs})`);
console.log(`manager's own start: ${(started - node).toFixed(0)} ms; ratio to a bare node start ${(started / node).toFixed(2)}×`);
console.log(`idle manager RSS in the image: ${((await measureIdleRss(reference)) / MiB).toFixed(1)} MiB (target ≤ 50 MiB)`);
