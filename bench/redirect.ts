// Redirect benchmark in the namespace set-up (test/namespace/fixtures/pod.ts): the real manager in
// a pod network namespace, a peer namespace on the other end of a veth.
//   throughput: 1 GiB through one incoming redirected connection (peer → pod:8080 → manager →
//               tunnel → client → sink), as a ratio to a socat TCP relay in the same pod
//               (peer → pod:8081 → socat → sink), measured in the same run;
//   setup:      connect + first byte answered, over 1,000 redirected connections, p50/p99;
//   memory:     the manager's RSS idle and with 100 open tunnelled connections, before and after
//               the load (a long-lived manager keeps what V8 and malloc grew to).
// Targets: throughput ≥ 0.7× socat, setup p50 ≤ 5 ms, RSS ≤ 50 MiB idle and ≤ 80 MiB with 100.
// Prints figures; never fails on a target (it is not a timed test).
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { createPod, startManager, type Pod } from "../test/namespace/fixtures/pod.ts";

const agent = fileURLToPath(new URL("./redirect-agent.ts", import.meta.url));
const gib = 1 << 30;
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);

interface Agent {
  child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
}

function startAgent(options: { ns: string; args: string[] }): Agent {
  const child = spawn("nsenter", [`--net=/run/netns/${options.ns}`, process.execPath, "--import", "tsx", agent, ...options.args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return {
    child,
    next: async () => {
      const { value, done } = await lines.next();
      if (done) throw new Error(`agent ${options.args[0]} exited (${child.exitCode})`);
      return JSON.parse(value as string) as Record<string, unknown>;
    },
  };
}

async function runOnce(options: { ns: string; args: string[] }): Promise<Record<string, unknown>> {
  const one = startAgent(options);
  const result = await one.next();
  one.child.stdin?.end();
  return result;
}

function readRssMiB(pid: number): number {
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1]);
  return kib / 1024;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measureThroughput(options: { pod: Pod; port: number }): Promise<number> {
  const result = await runOnce({ ns: options.pod.peerNs, args: ["send", "--host", options.pod.podIp4, "--port", String(options.port), "--bytes", String(gib)] });
  return gib / (1 << 20) / Number(result.seconds);
}

interface Figures {
  redirectMiBs: number;
  socatMiBs: number;
  p50: number;
  p99: number;
  socatP50: number;
  socatP99: number;
  idleRss: number;
  busyRss: number;
  busyRssAfterLoad: number;
  idleRssAfterLoad: number;
}

// 100 tunnelled connections held open by the peer; resolves with the manager's RSS meanwhile.
async function measureRssWithOpenTunnels(options: { pod: Pod; managerPid: number }): Promise<number> {
  const hold = startAgent({ ns: options.pod.peerNs, args: ["hold", "--host", options.pod.podIp4, "--port", "8080", "--count", "100"] });
  await hold.next();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const rss = readRssMiB(options.managerPid);
  hold.child.stdin?.end();
  await new Promise((resolve) => hold.child.once("exit", resolve));
  return rss;
}

async function runBenchmark(options: { pod: Pod; nodeFlags: string[] }): Promise<Figures> {
  const { pod } = options;
  const children: ChildProcess[] = [];
  const manager = await startManager({ pod, nodeFlags: options.nodeFlags });
  try {
    const client = startAgent({ ns: pod.podNs, args: ["client", "--manager-port", String(manager.port), "--credential-file", manager.credentialFile, "--port", "8080"] });
    children.push(client.child);
    const { sinkPort } = await client.next();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idleRss = readRssMiB(manager.pid);
    const busyRss = await measureRssWithOpenTunnels({ pod, managerPid: manager.pid });

    const socat = spawn("nsenter", [`--net=/run/netns/${pod.podNs}`, "socat", "TCP-LISTEN:8081,fork,reuseaddr", `TCP:127.0.0.1:${sinkPort}`], { stdio: "ignore" });
    children.push(socat);
    await new Promise((resolve) => setTimeout(resolve, 300));
    // Interleaved, best of `rounds` each, so both see the same machine.
    const redirected: number[] = [];
    const relayed: number[] = [];
    for (let round = 0; round < rounds; round++) {
      relayed.push(await measureThroughput({ pod, port: 8081 }));
      redirected.push(await measureThroughput({ pod, port: 8080 }));
    }

    const connectMany = async (port: number, count: number): Promise<number[]> => {
      const { latencies } = (await runOnce({ ns: pod.peerNs, args: ["connect", "--host", pod.podIp4, "--port", String(port), "--count", String(count)] })) as { latencies: number[] };
      return [...latencies].sort((a, b) => a - b);
    };
    const setup = await connectMany(8080, 1000);
    const socatSetup = await connectMany(8081, 200);
    const busyRssAfterLoad = await measureRssWithOpenTunnels({ pod, managerPid: manager.pid });
    // V8 gives memory back once a process has been idle a while (its "memory reducer").
    await new Promise((resolve) => setTimeout(resolve, 15_000));
    const idleRssAfterLoad = readRssMiB(manager.pid);
    return {
      redirectMiBs: Math.max(...redirected),
      socatMiBs: Math.max(...relayed),
      p50: percentile(setup, 50),
      p99: percentile(setup, 99),
      socatP50: percentile(socatSetup, 50),
      socatP99: percentile(socatSetup, 99),
      idleRss,
      busyRss,
      busyRssAfterLoad,
      idleRssAfterLoad,
    };
  } finally {
    for (const child of children) child.kill();
    await manager.stop();
  }
}

function printFigures(title: string, figures: Figures): void {
  const line = (label: string, value: string, target = ""): void => console.log(`  ${label.padEnd(44)} ${value.padEnd(20)} ${target}`);
  console.log(title);
  line("throughput, redirect", `${figures.redirectMiBs.toFixed(0)} MiB/s`);
  line("throughput, socat relay", `${figures.socatMiBs.toFixed(0)} MiB/s`);
  line("throughput ratio redirect/socat", `${(figures.redirectMiBs / figures.socatMiBs).toFixed(2)}x`, "target >= 0.70x");
  line("setup latency p50 / p99 (n=1000)", `${figures.p50.toFixed(2)} / ${figures.p99.toFixed(2)} ms`, "target p50 <= 5 ms");
  line("  socat relay p50 / p99 (n=200, reference)", `${figures.socatP50.toFixed(2)} / ${figures.socatP99.toFixed(2)} ms`);
  line("manager RSS idle (redirect installed)", `${figures.idleRss.toFixed(1)} MiB`, "target <= 50 MiB");
  line("manager RSS, 100 open tunnels", `${figures.busyRss.toFixed(1)} MiB`, "target <= 80 MiB");
  line("manager RSS, 100 open tunnels after the load", `${figures.busyRssAfterLoad.toFixed(1)} MiB`, "target <= 80 MiB");
  line("manager RSS, idle 15 s after the load", `${figures.idleRssAfterLoad.toFixed(1)} MiB`);
}

const plainNodeRss = await new Promise<number>((resolve) => {
  const child = spawn(process.execPath, ["-e", "setTimeout(() => {}, 60000)"], { stdio: "ignore" });
  setTimeout(() => (resolve(readRssMiB(child.pid ?? 0)), child.kill()), 1000);
});
const pod = await createPod({ name: "bench" });
try {
  console.log(`kdiag redirect benchmark: namespace set-up, ${process.version}, 1 GiB per throughput round, best of ${rounds}`);
  console.log(`(for scale: an idle \`node -e\` has an RSS of ${plainNodeRss.toFixed(1)} MiB on this machine)`);
  // Flags for the manager's node, e.g. BENCH_NODE_FLAGS=--max-semi-space-size=1 to try a tuning.
  const nodeFlags = (process.env.BENCH_NODE_FLAGS ?? "").split(" ").filter(Boolean);
  printFigures(`manager: node ${[...nodeFlags, "manager.js"].join(" ")}`, await runBenchmark({ pod, nodeFlags }));
} finally {
  await pod.cleanup();
}
