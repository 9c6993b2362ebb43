// CLI benchmarks on the project's local cluster, one run, medians and ratios printed (issue 10):
//   1. start: `kubectl kdiag --help`, `kubectl kdiag version` (and the executable alone) vs
//      `kubectl version --client` (target ≤ 1.5×); `node -e 0` printed as the floor
//   2. shell to output (`-- -c true`) with the manager already present vs `kubectl exec` of the
//      same command (target ≤ 1.2×), and the same to an interactive prompt
//   3. `redir` ready ("redirecting …" printed) with the manager present vs `kubectl port-forward`
//      to "Forwarding from" (target ≤ 1.2×)
//   4. a first injection to a prompt vs `kubectl debug --target` to a prompt (target ≤ 1.1×)
// The runs of both sides alternate, so the machine's noise falls on both.
// Run: npm run build && npm run cluster:up && node --import tsx bench/cli.ts
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import pty from "node-pty";
import { scratchPod } from "../test/cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, kubectlPath, repoRoot, waitForPods } from "../test/cluster/kube.ts";
import { kdiag, userEnv } from "../test/e2e/kdiag-cli.ts";

const startRuns = Number(process.env.BENCH_START_RUNS ?? 15);
const promptRuns = Number(process.env.BENCH_PROMPT_RUNS ?? 5);
const injectRuns = Number(process.env.BENCH_INJECT_RUNS ?? 4);
const env = { ...process.env, ...userEnv, TERM: "xterm" };
const version = (JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version;
const managerImage = `kdiag/manager:v${version}`;
const shell = ["/opt/kdiag/enter", "1", "/opt/kdiag/ash"];

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

function timeCommand(command: string, args: string[], commandEnv: NodeJS.ProcessEnv = env): number {
  const started = performance.now();
  const result = spawnSync(command, args, { env: commandEnv, stdio: "ignore" });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}`);
  return performance.now() - started;
}

/** Milliseconds from spawn to a `# ` prompt in a real terminal; pokes Enter for attach-style sessions. */
async function timeToPrompt(command: string, args: string[]): Promise<number> {
  const started = performance.now();
  const term = pty.spawn(command, args, { cols: 120, rows: 40, env });
  let screen = "";
  term.onData((data) => (screen += data));
  let exited = false;
  term.onExit(() => (exited = true));
  try {
    for (let poke = 0; !/# (\x1b\[[0-9;]*[A-Za-z]|\r)*$/.test(screen); poke++) {
      if (exited || performance.now() - started > 120_000) throw new Error(`no prompt from ${command} ${args.join(" ")}: ${screen.slice(-300)}`);
      // kubectl debug attaches after the shell printed its prompt; it says to press Enter.
      if (screen.includes("press enter") && poke % 20 === 0) term.write("\r");
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    return performance.now() - started;
  } finally {
    term.write("exit\r");
    await new Promise((resolve) => setTimeout(resolve, 200));
    term.kill();
  }
}

/** Milliseconds from spawn to PATTERN on stdout or stderr; the process is then interrupted and awaited. */
async function timeToOutput(command: string, args: string[], pattern: RegExp): Promise<number> {
  const started = performance.now();
  const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  try {
    await new Promise<void>((resolve, reject) => {
      const look = (chunk: Buffer) => {
        output += chunk.toString();
        if (pattern.test(output)) resolve();
      };
      child.stdout.on("data", look);
      child.stderr.on("data", look);
      void exited.then((code) => reject(new Error(`${command} ${args.join(" ")} exited ${code} before ${pattern}: ${output.slice(-300)}`)));
    });
    return performance.now() - started;
  } finally {
    child.kill("SIGINT");
    await exited;
  }
}

function report(name: string, ours: number[], theirs: number[], target: number, labels: [string, string]): void {
  const ratio = median(ours) / median(theirs);
  console.log(
    `${name}: ${labels[0]} median ${median(ours).toFixed(0)} ms, ${labels[1]} median ${median(theirs).toFixed(0)} ms, ` +
      `ratio ${ratio.toFixed(2)}× (target ≤ ${target}×) ${ratio <= target ? "ok" : "MISSED"}`,
  );
}

async function benchStart(): Promise<void> {
  const plugin: number[] = [];
  const version: number[] = [];
  const direct: number[] = [];
  const kubectl: number[] = [];
  const node: number[] = [];
  const bareNode: number[] = [];
  const { NODE_EXTRA_CA_CERTS: extraCerts, ...bareEnv }: NodeJS.ProcessEnv = env;
  for (let run = 0; run < startRuns; run++) {
    plugin.push(timeCommand("kubectl", ["kdiag", "--help"]));
    version.push(timeCommand("kubectl", ["kdiag", "version"]));
    direct.push(timeCommand("kubectl-kdiag", ["--help"]));
    kubectl.push(timeCommand(kubectlPath, ["version", "--client"]));
    node.push(timeCommand(process.execPath, ["-e", "0"]));
    if (extraCerts) bareNode.push(timeCommand(process.execPath, ["-e", "0"], bareEnv));
  }
  // kdiag's launcher keeps NODE_EXTRA_CA_CERTS from Node's start (cmd/launcher.sh), so with it set
  // the floor kdiag starts from is the second figure.
  console.log(
    `floor: node -e 0 median ${median(node).toFixed(0)} ms` +
      (extraCerts ? ` with NODE_EXTRA_CA_CERTS (Node parses it at start), ${median(bareNode).toFixed(0)} ms without` : ""),
  );
  report("start", plugin, kubectl, 1.5, ["kubectl kdiag --help", "kubectl version --client"]);
  report("version", version, kubectl, 1.5, ["kubectl kdiag version", "kubectl version --client"]);
  report("start (executable alone)", direct, kubectl, 1.5, ["kubectl-kdiag --help", "kubectl version --client"]);
}

async function benchPrompt(namespace: string): Promise<void> {
  await apply(namespace, [scratchPod({ name: "warm", labels: { app: "warm" } })]);
  await waitForPods(namespace, "app=warm");
  const first = await kdiag(["shell", "-n", namespace, "--pod", "warm", "--", "-c", "true"]);
  if (first.exitCode !== 0) throw new Error(`the first shell failed: ${first.stderr}`);
  // The container the first shell added (its name says the profile auto chose).
  const container = (await kubectl(["-n", namespace, "get", "pod", "warm", "-o", "jsonpath={.spec.ephemeralContainers[0].name}"])).stdout.trim();
  const ours: number[] = [];
  const theirs: number[] = [];
  const oursOutput: number[] = [];
  const theirsOutput: number[] = [];
  for (let run = 0; run < startRuns; run++) {
    oursOutput.push(timeCommand("kubectl", ["kdiag", "shell", "-n", namespace, "--pod", "warm", "--", "-c", "true"]));
    theirsOutput.push(timeCommand(kubectlPath, ["exec", "-n", namespace, "warm", "-c", container, "--", ...shell, "-c", "true"]));
  }
  report("shell to output with the manager present", oursOutput, theirsOutput, 1.2, ["kubectl kdiag shell -- -c true", "kubectl exec"]);
  for (let run = 0; run < promptRuns; run++) {
    ours.push(await timeToPrompt("kubectl", ["kdiag", "shell", "-n", namespace, "--pod", "warm"]));
    theirs.push(await timeToPrompt(kubectlPath, ["exec", "-it", "-n", namespace, "warm", "-c", container, "--", ...shell]));
  }
  report("prompt with the manager present", ours, theirs, 1.2, ["kubectl kdiag shell", "kubectl exec"]);
}

/** Needs benchPrompt's pod `warm`, its manager already present. */
async function benchRedirReady(namespace: string): Promise<void> {
  const redir = ["kdiag", "redir", "-n", namespace, "--pod", "warm", "8080:18099"];
  const forward = ["port-forward", "-n", namespace, "pod/warm", "0:8080"];
  // Unmeasured: the first redir reads the manager's credential through exec and caches it.
  await timeToOutput("kubectl", redir, /^redirecting /m);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < promptRuns * 2; run++) {
    ours.push(await timeToOutput("kubectl", redir, /^redirecting /m));
    theirs.push(await timeToOutput(kubectlPath, forward, /^Forwarding from /m));
  }
  report("redir ready with the manager present", ours, theirs, 1.2, ["kubectl kdiag redir", "kubectl port-forward"]);
}

async function benchInjection(namespace: string): Promise<void> {
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let run = 0; run < injectRuns; run++) {
    await apply(namespace, [
      scratchPod({ name: `fresh-kdiag-${run}`, labels: { app: `fresh-${run}` } }),
      scratchPod({ name: `fresh-debug-${run}`, labels: { app: `fresh-${run}` } }),
    ]);
    await waitForPods(namespace, `app=fresh-${run}`);
    // A pod that just turned Ready keeps its kubelet busy for a moment (status updates, the
    // other pod's start): let it settle, and alternate who goes first, so neither side pays for it.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const timeOurs = async () => ours.push(await timeToPrompt("kubectl", ["kdiag", "shell", "-n", namespace, "--pod", `fresh-kdiag-${run}`]));
    const timeTheirs = async () =>
      theirs.push(
        await timeToPrompt(kubectlPath, [
          "debug", "-it", "-n", namespace, `fresh-debug-${run}`, `--image=${managerImage}`, "--image-pull-policy=IfNotPresent",
          "--target=server", "--profile=sysadmin", "--", ...shell,
        ]),
      );
    if (run % 2 === 0) {
      await timeOurs();
      await timeTheirs();
    } else {
      await timeTheirs();
      await timeOurs();
    }
  }
  report("first injection to a prompt", ours, theirs, 1.1, ["kubectl kdiag shell", "kubectl debug --target"]);
}

await ensureCluster();
const ns = await createNamespace("kdiag-bench-cli");
try {
  await benchStart();
  await benchPrompt(ns.name);
  await benchRedirReady(ns.name);
  if (process.env.BENCH_INJECT_RUNS !== "0") await benchInjection(ns.name);
} finally {
  await ns.cleanup();
}
