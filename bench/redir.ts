// Redirect throughput: bytes a pod receives on a redirected port reaching a local server through
// `kdiag redir`, against bytes from the same pod through a raw `kubectl port-forward`. Both move
// the data pod → this machine over a port-forward WebSocket; target: redir ≥ 1.0× port-forward.
//
// Connection set-up latency, measured the same way both ways as a round trip from this process:
// open a TCP connection, write one byte, wait for a one-byte answer; the time from the connect()
// call to the answer, over BENCH_CONNECTIONS (default 200) sequential connections, p50 and p99.
//   kdiag: this machine → the pod's IP on a redirected port → `kdiag redir` → an answering server
//          on 127.0.0.1 here;
//   reference: this machine → `kubectl port-forward`'s local port → an answering server in the pod.
// Target: kdiag p50 ≤ 1.2× port-forward p50.
//
// Runs on the project's local cluster (npm run cluster:up; npm run build) in a namespace of its own:
// node --import tsx bench/redir.ts
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import path from "node:path";
import { once } from "node:events";
import { serverPod } from "../test/cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, kubectlEnv, kubectlPath, podIP, waitForPods } from "../test/cluster/kube.ts";

const root = path.resolve(import.meta.dirname, "..");
const cli = path.join(root, "dist/kubectl-kdiag.js");
const megabytes = Number(process.env.BENCH_MB ?? 64);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 200);
// Unmeasured connections first, both ways alike (the first streams of a fresh tunnel or port-forward).
const warmup = 5;
const redirectedPort = 18090;
const sourcePort = 18091;
const redirectedAnswerPort = 18092;
const answerPort = 18093;
const env = kubectlEnv({ NO_COLOR: "1" });

async function kubectlIn(namespace: string, ...args: string[]): Promise<string> {
  return (await kubectl(["-n", namespace, ...args])).stdout;
}

/** Resolves with the first stdout match of `pattern`; rejects if the process exits first. */
function waitForLine(child: ChildProcess, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) resolve(match);
    });
    child.once("exit", (code) => reject(new Error(`${child.spawnargs.join(" ")} exited ${code} before printing ${pattern}: ${seen}`)));
  });
}

/** A local server that counts what it receives; resolves each round when `bytes` arrived. */
async function startSink(): Promise<{ port: number; next: (bytes: number) => Promise<void>; close: () => void }> {
  let expect = 0;
  let received = 0;
  let done = () => {};
  const server = net.createServer((socket) => {
    socket.on("data", (chunk: Buffer) => {
      received += chunk.length;
      if (received >= expect) done();
    });
    socket.on("error", () => {});
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    next: (bytes) =>
      new Promise<void>((resolve) => {
        expect = bytes;
        received = 0;
        done = resolve;
      }),
    close: () => server.close(),
  };
}

/** Sends `bytes` to host:port and resolves when `arrived` does. */
async function timeSend(host: string, port: number, bytes: number, arrived: Promise<void>): Promise<number> {
  const started = performance.now();
  const socket = net.connect({ host, port });
  await once(socket, "connect");
  const chunk = Buffer.alloc(1 << 20, 7);
  for (let sent = 0; sent < bytes; sent += chunk.length) {
    if (!socket.write(chunk)) await once(socket, "drain");
  }
  await arrived;
  socket.destroy();
  return performance.now() - started;
}

/** Reads host:port until the sender closes; returns the time and the byte count. */
async function timeReceive(port: number): Promise<{ ms: number; bytes: number }> {
  const started = performance.now();
  const socket = net.connect({ host: "127.0.0.1", port });
  let bytes = 0;
  socket.on("data", (chunk: Buffer) => (bytes += chunk.length));
  await once(socket, "close");
  return { ms: performance.now() - started, bytes };
}

/** A local server that answers the first byte of each connection with one byte. */
async function startAnswerer(): Promise<{ port: number; close: () => void }> {
  const server = net.createServer((socket) => {
    socket.on("error", () => {});
    socket.once("data", () => socket.write("a"));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const address = server.address();
  return { port: typeof address === "object" && address ? address.port : 0, close: () => server.close() };
}

/** Connects to host:port, writes one byte and waits for one back: ms from the connect() call. */
async function timeRoundTrip(host: string, port: number): Promise<number> {
  const started = performance.now();
  const socket = net.connect({ host, port });
  socket.once("connect", () => socket.write("q"));
  try {
    await once(socket, "data");
    return performance.now() - started;
  } finally {
    socket.destroy();
  }
}

/** `connections` sequential round trips after `warmup` unmeasured ones; sorted milliseconds. */
async function timeSetups(host: string, port: number): Promise<number[]> {
  for (let i = 0; i < warmup; i += 1) await timeRoundTrip(host, port);
  const times: number[] = [];
  for (let i = 0; i < connections; i += 1) times.push(await timeRoundTrip(host, port));
  return times.sort((a, b) => a - b);
}

/** Nearest rank on sorted values. */
const percentile = (sorted: number[], p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
const best = (values: number[]) => Math.max(...values);

await ensureCluster();
const ns = await createNamespace("kdiag-bench-redir");
const namespace = ns.name;
const podName = "server-bench";
await apply(namespace, [serverPod({ name: podName })]);
await waitForPods(namespace, `pod/${podName}`);
const podIp = await podIP(namespace, podName);
const bytes = megabytes * 1024 * 1024;
const children: ChildProcess[] = [];
const sink = await startSink();
const answerer = await startAnswerer();
try {
  const redir = spawn(
    process.execPath,
    [cli, "redir", "-n", namespace, "--pod", podName, "-q", `${redirectedPort}:${sink.port}`, `${redirectedAnswerPort}:${answerer.port}`],
    { env, stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(redir);
  await waitForLine(redir, /redirecting/);
  const redirectedSetups = await timeSetups(podIp, redirectedAnswerPort);
  const redirected: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    redirected.push(mbps(bytes, await timeSend(podIp, redirectedPort, bytes, sink.next(bytes))));
  }

  // The same pod's own loopback, through kubectl: a byte source in kdiag's container (it has node).
  const container = (await kubectlIn(namespace, "get", "pod", podName, "-o", "jsonpath={.spec.ephemeralContainers[*].name}"))
    .split(" ").find((name) => name.startsWith("kdiag-"));
  if (!container) throw new Error(`no kdiag container in ${podName}`);
  // It exits by itself after the last round (an exec'd process may outlive a killed kubectl); its
  // answering server (the set-up latency, measured before the throughput) goes with it.
  const source =
    `let c=0;const b=Buffer.alloc(1<<20,7);setTimeout(()=>process.exit(0),300000);const net=require("net");` +
    `net.createServer(s=>{s.on("error",()=>{});s.once("data",()=>s.write("a"))}).listen(${answerPort});` +
    `net.createServer(s=>{s.on("close",()=>{if(++c>=${rounds})process.exit(0)});let n=${megabytes};` +
    `const w=()=>{while(n>0){n--;if(!s.write(b))return s.once("drain",w)}s.end()};w()}).listen(${sourcePort},()=>console.log("ready"))`;
  const exec = spawn(kubectlPath, ["--kubeconfig", String(env.KUBECONFIG), "-n", namespace, "exec", podName, "-c", container, "--", "node", "-e", source], { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(exec);
  await waitForLine(exec, /ready/);
  // One port-forward for both ports, as one `kdiag redir` carries both redirects.
  const forward = spawn(
    kubectlPath,
    ["--kubeconfig", String(env.KUBECONFIG), "-n", namespace, "port-forward", `pod/${podName}`, `:${sourcePort}`, `:${answerPort}`],
    { env, stdio: ["ignore", "pipe", "inherit"] },
  );
  children.push(forward);
  const [[, localPort = ""], [, localAnswerPort = ""]] = await Promise.all([
    waitForLine(forward, new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${sourcePort}\\b`)),
    waitForLine(forward, new RegExp(`Forwarding from 127\\.0\\.0\\.1:(\\d+) -> ${answerPort}\\b`)),
  ]);
  const forwardedSetups = await timeSetups("127.0.0.1", Number(localAnswerPort));
  const forwarded: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const result = await timeReceive(Number(localPort));
    if (result.bytes !== bytes) throw new Error(`port-forward delivered ${result.bytes} of ${bytes} bytes`);
    forwarded.push(mbps(bytes, result.ms));
  }

  const ratio = best(redirected) / best(forwarded);
  const list = (values: number[]) => values.map((value) => value.toFixed(1)).join(", ");
  console.log(`redirect throughput, ${megabytes} MiB × ${rounds} to/from pod ${podName}`);
  console.log(`  kdiag redir:          ${list(redirected)} MB/s (best ${best(redirected).toFixed(1)})`);
  console.log(`  kubectl port-forward: ${list(forwarded)} MB/s (best ${best(forwarded).toFixed(1)})`);
  console.log(`  ratio ${ratio.toFixed(2)}× (target ≥ 1.0×) ${ratio >= 1.0 ? "ok" : "BELOW TARGET"}`);
  const ms = (sorted: number[]) => `${percentile(sorted, 50).toFixed(2)}/${percentile(sorted, 99).toFixed(2)}`;
  const setupRatio = percentile(redirectedSetups, 50) / percentile(forwardedSetups, 50);
  console.log(`connection set-up, ${connections} sequential connections each way (connect, 1 byte out, 1 byte back; ${warmup} unmeasured first)`);
  console.log(
    `  connection set-up p50/p99: kdiag ${ms(redirectedSetups)} ms, kubectl port-forward ${ms(forwardedSetups)} ms, ` +
      `ratio p50 ${setupRatio.toFixed(2)}× (target ≤ 1.2×) ${setupRatio <= 1.2 ? "ok" : "ABOVE TARGET"}`,
  );
} finally {
  // SIGINT to redir: it removes its rule before exiting.
  for (const child of children.reverse()) {
    child.kill("SIGINT");
    if (child.exitCode === null) await once(child, "exit");
  }
  sink.close();
  answerer.close();
  await ns.cleanup();
}
