// What a user sees when the pieces inside kdiag's container die under a redirect, on the project's
// cluster: nft SIGKILLed (the redirect ends in one line, the same manager redirects again under a
// fresh table) and the manager SIGKILLed while its nft is stopped (kdiag-init takes nft with it:
// the next manager finds no rule, no table, no nft and no zombie of the old one).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa, type Result, type ResultPromise } from "execa";
import { busyboxPod, scratchPod, serverPort } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";
import { errorLines, kdiag, userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;
let local: LocalServer;
const redirs: Redir[] = [];

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-manager-lifetime");
  await apply(ns.name, [scratchPod({ name: "nft-killed" }), scratchPod({ name: "manager-killed" }), busyboxPod({ name: "client" })]);
  await waitForPods(ns.name, "app=scratch");
  await waitForPods(ns.name, "pod/client");
  local = await startLocalServer();
});
after(async () => {
  for (const redir of redirs) redir.child.kill("SIGKILL");
  await local?.close();
  await ns?.cleanup();
});

interface Redir {
  child: ResultPromise;
  /** Resolves once redir printed its `redirecting …` line. */
  started(): Promise<void>;
  /** The finished command, or a failure naming what it printed when it runs past TIMEOUTMS. */
  exited(timeoutMs: number): Promise<Result>;
  output(): string;
}

/** `kubectl kdiag redir --pod POD 8080:<local port>` running in the background, as in a terminal. */
function startRedir(pod: string): Redir {
  const args = ["kdiag", "redir", "-n", ns.name, "--pod", pod, `${serverPort}:${local.port}`];
  const child = execa("kubectl", args, { env: userEnv, reject: false, stdin: "ignore" });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const started = async (): Promise<void> => {
    const line = new RegExp(`^redirecting port ${serverPort} of pod ${pod} → localhost:${local.port}$`, "m");
    const deadline = Date.now() + 90_000;
    while (!line.test(output)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redir never printed ${line}; it printed:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const exited = async (timeoutMs: number): Promise<Result> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`redir still running after ${timeoutMs / 1000} s; it printed:\n${output}`)), timeoutMs);
    });
    try {
      return await Promise.race([child, late]);
    } finally {
      clearTimeout(timer);
    }
  };
  const redir = { child, started, exited, output: () => output };
  redirs.push(redir);
  return redir;
}

/** A request from the client pod to POD's port 8080 for PATH; the reply body. */
async function requestFromClient(pod: string, path: string): Promise<string> {
  const url = `http://${await podIP(ns.name, pod)}:${serverPort}${path}`;
  // busybox's own `wget -T` crashes (see test/cluster/images/client.sh); timeout does its job.
  const result = await kubectl(["-n", ns.name, "exec", "client", "--", "timeout", "10", "wget", "-q", "-O-", url], { allowFailure: true });
  return result.exitCode === 0 ? result.stdout : `wget ${url} failed (exit ${result.exitCode}): ${result.stderr}`;
}

interface ContainerState {
  name: string;
  state?: { running?: object; terminated?: { exitCode: number } };
}

async function getManagerStates(pod: string): Promise<ContainerState[]> {
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", pod, "-o", "json"]);
  const json = JSON.parse(stdout) as { status: { ephemeralContainerStatuses?: ContainerState[] } };
  return (json.status.ephemeralContainerStatuses ?? []).filter((status) => status.name.startsWith("kdiag-"));
}

/** The name of the one running kdiag container of POD. */
async function findRunningManager(pod: string): Promise<string> {
  const running = (await getManagerStates(pod)).filter((status) => status.state?.running);
  assert.equal(running.length, 1, `one running kdiag container in ${pod}: ${JSON.stringify(running)}`);
  return running[0]?.name ?? "";
}

async function waitForTerminated(pod: string, container: string, timeoutMs: number): Promise<{ exitCode: number }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const terminated = (await getManagerStates(pod)).find((status) => status.name === container)?.state?.terminated;
    if (terminated) return terminated;
    if (Date.now() > deadline) throw new Error(`${container} in ${pod} did not terminate within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** ARGV run in kdiag's container CONTAINER of POD; its stdout. */
async function execInManager(pod: string, container: string, argv: string[]): Promise<string> {
  return (await kubectl(["-n", ns.name, "exec", pod, "-c", container, "--", ...argv])).stdout;
}

/** The kdiag tables the pod's network namespace holds, as `nft list tables` names them. */
async function listKdiagTables(pod: string, container: string): Promise<string[]> {
  const tables = await execInManager(pod, container, ["nft", "list", "tables"]);
  return [...tables.matchAll(/^table \S+ (kdiag\S*)$/gm)].map((match) => match[1] ?? "");
}

interface ProcessStat {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
}

/** Every process of the pid namespace kdiag's container shares, from /proc/<pid>/stat. */
async function listProcesses(pod: string, container: string): Promise<ProcessStat[]> {
  const script = "for s in /proc/[0-9]*/stat; do cat $s; echo; done";
  const stats = await execInManager(pod, container, ["/bin/busybox", "sh", "-c", script]);
  return stats
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const match = /^(\d+) \((.*)\) (\S) (\d+) /.exec(line);
      assert.ok(match, `a /proc/<pid>/stat line: ${line}`);
      return { pid: Number(match[1]), comm: match[2] ?? "", state: match[3] ?? "", ppid: Number(match[4]) };
    });
}

function findOne(processes: ProcessStat[], comm: string): ProcessStat {
  const found = processes.filter((process) => process.comm === comm);
  assert.equal(found.length, 1, `one ${comm} process: ${JSON.stringify(processes)}`);
  return found[0] as ProcessStat;
}

test("when kdiag's nft process is SIGKILLed under my redirect, redir tells me in one line that the manager lost its rules, and my next redir works under a fresh table of the same manager", async () => {
  const redir = startRedir("nft-killed");
  await redir.started();
  const container = await findRunningManager("nft-killed");
  const [oldTable = ""] = await listKdiagTables("nft-killed", container);
  assert.equal(await requestFromClient("nft-killed", "/before-nft-dies"), "hello from local\n");
  assert.ok(local.requests.includes("/before-nft-dies"));

  await execInManager("nft-killed", container, ["/bin/busybox", "sh", "-c", "kill -9 $(/bin/busybox pidof nft)"]);
  const result = await redir.exited(10_000);
  assert.notEqual(result.exitCode, 0, redir.output());
  const errors = errorLines(result.stderr);
  assert.equal(errors.length, 1, String(result.stderr));
  assert.match(errors[0] ?? "", /lost its redirect rules: nft exited \(SIGKILL\)/);
  assert.doesNotMatch(String(result.stderr), /^ {4}at /m, "no stack trace");

  const again = startRedir("nft-killed");
  await again.started();
  assert.equal(await requestFromClient("nft-killed", "/after-nft-died"), "hello from local\n");
  assert.ok(local.requests.includes("/after-nft-died"));
  // The same manager (no container added, its pid in the new table's name), a new nft and table.
  assert.deepEqual((await getManagerStates("nft-killed")).map((status) => status.name), [container]);
  again.child.kill("SIGINT");
  assert.equal((await again.exited(30_000)).exitCode, 0, again.output());
  const tables = await listKdiagTables("nft-killed", container);
  assert.equal(tables.length, 1, `exactly one kdiag table: ${tables.join(", ")}`);
  const [newTable = ""] = tables;
  assert.notEqual(newTable, oldTable, "the old table is gone");
  assert.equal(newTable.split("_")[1], oldTable.split("_")[1], `${newTable} and ${oldTable} belong to one manager`);
  assert.doesNotMatch(await execInManager("nft-killed", container, ["nft", "list", "ruleset"]), /kdiag port/);
});

test("when kdiag's manager is SIGKILLed while its nft is stopped, its container ends, and the next manager finds no rule, table, nft or zombie of the old one", async () => {
  const redir = startRedir("manager-killed");
  await redir.started();
  const container = await findRunningManager("manager-killed");
  assert.equal(await requestFromClient("manager-killed", "/before-manager-dies"), "hello from local\n");
  assert.match(await execInManager("manager-killed", container, ["nft", "list", "ruleset"]), /kdiag port 8080/);
  const old = await listProcesses("manager-killed", container);
  const [nft, node, init] = [findOne(old, "nft"), findOne(old, "node"), findOne(old, "kdiag-init")];

  await execInManager("manager-killed", container, ["/bin/busybox", "kill", "-STOP", String(nft.pid)]);
  const stopped = (await listProcesses("manager-killed", container)).find((process) => process.pid === nft.pid);
  assert.equal(stopped?.state, "T", "nft is stopped before its manager dies");
  await execInManager("manager-killed", container, ["/bin/busybox", "kill", "-9", String(node.pid)]);
  await waitForTerminated("manager-killed", container, 30_000);
  const result = await redir.exited(30_000);
  assert.notEqual(result.exitCode, 0, redir.output());
  assert.equal(errorLines(result.stderr).length, 1, String(result.stderr));

  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "manager-killed"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  const fresh = await findRunningManager("manager-killed");
  assert.equal(fresh, `${container}-2`);

  const processes = await listProcesses("manager-killed", fresh);
  assert.deepEqual(processes.filter((process) => process.state === "Z"), [], "no zombie in the pod's pid namespace");
  const gone = [nft.pid, node.pid, init.pid];
  assert.deepEqual(processes.filter((process) => gone.includes(process.pid)), [], "the old kdiag-init, node and nft are gone");
  const freshNode = findOne(processes, "node");
  assert.equal(findOne(processes, "nft").ppid, freshNode.pid, "the only nft is the new manager's");

  const tables = await listKdiagTables("manager-killed", fresh);
  assert.equal(tables.length, 1, `only the new manager's table: ${tables.join(", ")}`);
  assert.match(tables[0] ?? "", new RegExp(`^kdiag_${freshNode.pid}_`));
  assert.equal((await execInManager("manager-killed", fresh, ["nft", "list", "tables"])).trim(), `table inet ${tables[0]}`);
  assert.doesNotMatch(await execInManager("manager-killed", fresh, ["nft", "list", "ruleset"]), /kdiag port/);
  assert.doesNotMatch(await execInManager("manager-killed", fresh, ["iptables-save"]), /kdiag/);
  assert.doesNotMatch(await execInManager("manager-killed", fresh, ["ip6tables-save"]), /kdiag/);
  // The kernel dropped the old table with its nft: the new manager had no leftover to remove.
  const log = (await kubectl(["-n", ns.name, "logs", "manager-killed", "-c", fresh])).stdout;
  assert.doesNotMatch(log, /leftover kdiag table|kdiag table of a live manager/, log);
});
