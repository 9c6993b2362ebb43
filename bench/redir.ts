// Redirect throughput: bytes a pod receives on a redirected port reaching a local server through
// `kdiag redir`, against bytes from the same pod through a raw `kubectl port-forward`. Both move
// the data pod → this machine over a port-forward WebSocket; target: redir ≥ 0.8× port-forward.
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
const redirectedPort = 18090;
const sourcePort = 18091;
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
try {
  const redir = spawn(process.execPath, [cli, "redir", "-n", namespace, "--pod", podName, "-q", `${redirectedPort}:${sink.port}`], { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(redir);
  await waitForLine(redir, /redirecting/);
  const redirected: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    redirected.push(mbps(bytes, await timeSend(podIp, redirectedPort, bytes, sink.next(bytes))));
  }

  // The same pod's own loopback, through kubectl: a byte source in kdiag's container (it has node).
  const container = (await kubectlIn(namespace, "get", "pod", podName, "-o", "jsonpath={.spec.ephemeralContainers[*].name}"))
    .split(" ").find((name) => name.startsWith("kdiag-"));
  if (!container) throw new Error(`no kdiag container in ${podName}`);
  // It exits by itself after the last round (an exec'd process may outlive a killed kubectl).
  const source =
    `let c=0;const b=Buffer.alloc(1<<20,7);setTimeout(()=>process.exit(0),300000);` +
    `require("net").createServer(s=>{s.on("close",()=>{if(++c>=${rounds})process.exit(0)});let n=${megabytes};` +
    `const w=()=>{while(n>0){n--;if(!s.write(b))return s.once("drain",w)}s.end()};w()}).listen(${sourcePort},()=>console.log("ready"))`;
  const exec = spawn(kubectlPath, ["--kubeconfig", String(env.KUBECONFIG), "-n", namespace, "exec", podName, "-c", container, "--", "node", "-e", source], { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(exec);
  await waitForLine(exec, /ready/);
  const forward = spawn(kubectlPath, ["--kubeconfig", String(env.KUBECONFIG), "-n", namespace, "port-forward", `pod/${podName}`, `:${sourcePort}`], { env, stdio: ["ignore", "pipe", "inherit"] });
  children.push(forward);
  const [, localPort = ""] = await waitForLine(forward, /Forwarding from 127\.0\.0\.1:(\d+)/);
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
  console.log(`  ratio ${ratio.toFixed(2)}× (target ≥ 0.8×) ${ratio >= 0.8 ? "ok" : "BELOW TARGET"}`);
} finally {
  // SIGINT to redir: it removes its rule before exiting.
  for (const child of children.reverse()) {
    child.kill("SIGINT");
    if (child.exitCode === null) await once(child, "exit");
  }
  sink.close();
  await ns.cleanup();
}
