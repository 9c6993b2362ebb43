import assert from "node:assert/strict";
import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { status } from "@grpc/grpc-js";
import { startContainer, type Container } from "./fixtures/container.ts";
import { startHttpServer, type LocalServer } from "./fixtures/echo.ts";
import { createPod, dumpRules, findChildren, startManager, waitForRules, type Manager, type Pod } from "./fixtures/pod.ts";
import { connectManager, followRedirect, type ManagerConnection } from "./fixtures/redirect-client.ts";

const run = promisify(execFile);
const name = `cleanup-${process.pid}`;

let pod: Pod;
let container: Container;
let manager: Manager;
let connection: ManagerConnection;
let laptop: LocalServer;

before(async () => {
  pod = await createPod({ name: "clean" });
  container = await startContainer({ podNs: pod.podNs, name, port: 8080 });
  laptop = await startHttpServer("hello from the laptop\n");
  await restartManager();
});

after(async () => {
  connection?.close();
  await manager?.stop();
  await container?.stop();
  await laptop?.close();
  await pod?.cleanup();
});

async function restartManager(): Promise<void> {
  connection?.close();
  manager = await startManager({ pod, containerPid: container.hostPid });
  connection = await connectManager({ pod, manager });
}

async function curlFromPeer(): Promise<string> {
  const { stdout } = await run("ip", ["netns", "exec", pod.peerNs, "curl", "-sS", "--max-time", "5", `http://${pod.podIp4}:8080/`]);
  return stdout;
}

// The user's port is theirs again: no kdiag rule for it anywhere, and the container answers.
async function assertPortGivenBack(): Promise<void> {
  const rules = await waitForRules({ pod, until: (text) => !text.includes("kdiag port"), what: "kdiag's rules to go" });
  assert.doesNotMatch(rules, /kdiag port/);
  assert.equal(await curlFromPeer(), `hello from ${name}\n`);
}

// A redirect by grpcurl, a gRPC client in a process of its own, run inside the pod with the
// manager's credential: its client certificate and the token (the server's certificate is not
// checked: what is tested here is the client's death, not the pin).
async function redirectWithGrpcurl(): Promise<ReturnType<typeof spawn>> {
  const files = mkdtempSync(join(tmpdir(), "kdiag-grpcurl-"));
  writeFileSync(join(files, "client.crt"), connection.credential.clientCertificate);
  writeFileSync(join(files, "client.key"), connection.credential.clientKey, { mode: 0o600 });
  process.once("exit", () => rmSync(files, { recursive: true, force: true }));
  const credential = ["-cert", join(files, "client.crt"), "-key", join(files, "client.key"), "-H", `authorization: Bearer ${connection.credential.token}`];
  const grpcurl = spawn(
    "nsenter",
    [`--net=/run/netns/${pod.podNs}`, findGrpcurl(), "-insecure", ...credential, "-d", '{"port": 8080}', `127.0.0.1:${manager.port}`, "kdiag.v1.Manager/Redirect"],
    { stdio: "ignore" },
  );
  await waitForRules({ pod, until: (text) => text.includes('comment "kdiag port 8080"'), what: "grpcurl's redirect" });
  return grpcurl;
}

function findGrpcurl(): string {
  const installed = join(process.env.GOPATH ?? join(homedir(), "go"), "bin", "grpcurl");
  return existsSync(installed) ? installed : "grpcurl";
}

test("while I redirect the container's port, the peer's requests reach my laptop; when I cancel, the container answers again", async () => {
  const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  assert.equal(await curlFromPeer(), "hello from the laptop\n");
  redirect.cancel();
  await assertPortGivenBack();
});

test("when my client is killed with SIGKILL, its redirect goes", async () => {
  const grpcurl = await redirectWithGrpcurl();
  grpcurl.kill("SIGKILL");
  await assertPortGivenBack();
});

test("when my client stops answering (laptop asleep, connection lost), its redirect goes within 15 seconds", async () => {
  const grpcurl = await redirectWithGrpcurl();
  // Stopped, its TCP connection stays open but gRPC keepalive pings go unanswered.
  grpcurl.kill("SIGSTOP");
  const started = Date.now();
  await waitForRules({ pod, until: (text) => !text.includes("kdiag port"), what: "keepalive to end the redirect", timeoutMs: 15_000 });
  assert.ok(Date.now() - started < 15_000);
  grpcurl.kill("SIGKILL");
  await assertPortGivenBack();
});

test("when the manager gets SIGTERM, it ends my redirect, removes its rules and exits 0", async () => {
  const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  assert.equal(await manager.stop("SIGTERM"), 0);
  const error = await redirect.ended;
  assert.equal(error?.code, status.ABORTED);
  assert.equal(error?.details, "the kdiag manager is stopping (SIGTERM)");
  assert.doesNotMatch(await dumpRules(pod), /kdiag/);
  await assertPortGivenBack();
  await restartManager();
});

test("when the manager and its nft are killed with SIGKILL, the kernel removes the owner table; a new manager starts clean", async () => {
  const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  // Nothing gets to clean up: the nft process holding the table dies first, then the manager.
  for (const pid of [findNft(manager), manager.pid]) process.kill(pid, "SIGKILL");
  await manager.exited;
  await waitForRules({ pod, until: (text) => !text.includes("kdiag"), what: "the kernel to drop the owner table" });
  await assertPortGivenBack();
  await restartManager();
  const again = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await again.installed;
  assert.equal(await curlFromPeer(), "hello from the laptop\n");
  again.cancel();
  await assertPortGivenBack();
});

test("when the manager's nft process dies, my redirect ends saying so, the port is given back, and my next redirect works under a fresh table", async () => {
  const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  const oldTable = await findKdiagTable();
  process.kill(findNft(manager), "SIGKILL");
  const error = await redirect.ended;
  assert.equal(error?.code, status.ABORTED);
  assert.equal(error?.details, "the kdiag manager lost its redirect rules: nft exited (SIGKILL)");
  await assertPortGivenBack();

  // The same manager, a new nft owning a table of another name; the old table is gone.
  const again = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await again.installed;
  assert.equal(await curlFromPeer(), "hello from the laptop\n");
  const newTable = await findKdiagTable();
  assert.notEqual(newTable, oldTable);
  assert.doesNotMatch(await pod.exec(["nft", "list", "ruleset"]), new RegExp(oldTable));
  again.cancel();
  await assertPortGivenBack();
});

test("when the manager is killed with SIGKILL while its nft is stopped, nft dies too: no rule, no nft, no zombie is left", async () => {
  const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  const nft = findNft(manager);
  const { initPid } = manager;
  process.kill(nft, "SIGSTOP");
  process.kill(manager.pid, "SIGKILL");
  // kdiag-init exits with the manager's status once it has reaped everything.
  assert.equal(await manager.exited, 128 + 9);
  await waitForRules({ pod, until: (text) => !text.includes("kdiag"), what: "the kernel to drop the owner table" });
  assert.equal(existsSync(`/proc/${nft}`), false, "nft (or its zombie) is still there");
  // Neither kdiag-init nor the container's PID 1 (which never reaps) holds a zombie of ours.
  assert.deepEqual(findZombies({ parents: [initPid, container.hostPid], pids: [nft, manager.pid] }), []);
  await assertPortGivenBack();
  await restartManager();
});

test("a manager starting up removes kdiag tables left behind, but not a live manager's, nor another program's whose name starts like kdiag's", async () => {
  await pod.exec(["nft", "add", "table", "inet", "kdiag_4242_c0ffee"]);
  // As a node's network namespace holds (the local cluster's own table is inet kdiag-nodes).
  await pod.exec(["nft", "add", "table", "inet", "kdiag-nodes"]);
  await pod.exec(["nft", "add", "table", "ip", "kdiag_4243_c0ffee"]);
  const liveTable = /table inet (kdiag_\d+_\S+)/.exec(await pod.exec(["nft", "list", "tables"]))?.[1];
  const second = await startManager({ pod });
  try {
    const tables = await pod.exec(["nft", "list", "tables"]);
    assert.doesNotMatch(tables, /kdiag_4242_c0ffee/);
    assert.match(tables, new RegExp(`table inet ${liveTable}\\n`));
    assert.match(tables, /table inet kdiag-nodes\n/);
    assert.match(tables, /table ip kdiag_4243_c0ffee\n/);
    assert.match(second.output(), /"msg":"removed a leftover kdiag table","fields":\{"family":"inet","name":"kdiag_4242_c0ffee"\}/);
  } finally {
    await second.stop();
    await pod.exec(["nft", "delete", "table", "inet", "kdiag-nodes"]);
    await pod.exec(["nft", "delete", "table", "ip", "kdiag_4243_c0ffee"]);
  }
});

// The manager's nft: its child named nft (not a passing iptables-save).
function findNft(of: Manager): number {
  const nft = findChildren(of.pid).find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "nft");
  assert.ok(nft, `manager ${of.pid} has no nft child`);
  return nft;
}

async function findKdiagTable(): Promise<string> {
  const table = /table inet (kdiag_\S+)/.exec(await pod.exec(["nft", "list", "tables"]))?.[1];
  assert.ok(table, "no kdiag table in the pod");
  return table;
}

// Zombies (state Z in /proc/<pid>/stat) among `pids` or children of `parents`.
function findZombies(options: { parents: number[]; pids: number[] }): string[] {
  return readdirSync("/proc")
    .filter((name) => /^\d+$/.test(name))
    .flatMap((pid) => {
      let stat: string;
      try {
        stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      } catch {
        return [];
      }
      // "pid (comm) state ppid …"; comm may hold spaces and parentheses.
      const [state, ppid] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const ours = options.pids.includes(Number(pid)) || options.parents.includes(Number(ppid));
      return state === "Z" && ours ? [stat.slice(0, stat.lastIndexOf(")") + 1)] : [];
    });
}
