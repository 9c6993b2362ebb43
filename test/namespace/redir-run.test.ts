// `kdiag redir`'s own logic (pkg/commands/redir/run.ts) against the real manager, real nftables and a
// "pod" of network namespaces: what the user sees, what stays installed, and what is removed.
// Only the transport differs from the cluster: tunnels are reached the way containerd's
// port-forward reaches a pod's loopback.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { after, before, test } from "node:test";
import { toRedirConfig } from "../../pkg/commands/redir/config.ts";
import { adaptManager, dialLocal } from "../../pkg/commands/redir/endpoints.ts";
import { runRedir, type RedirDeps } from "../../pkg/commands/redir/run.ts";
import { readAll, startGreetingServer, type LocalServer } from "./fixtures/echo.ts";
import { startManagedPod, type ManagedPod } from "./fixtures/managed-pod.ts";
import { connectFrom, dumpRules, waitForRules, type Manager, type Pod } from "./fixtures/pod.ts";
import type { ManagerConnection } from "./fixtures/redirect-client.ts";

let managed: ManagedPod;
let pod: Pod;
let manager: Manager;
let connection: ManagerConnection;
let greeting: LocalServer;

before(async () => {
  managed = await startManagedPod({ name: "rrun", containerPort: 8080 });
  ({ pod, manager, connection } = managed);
  greeting = await startGreetingServer("hello from my laptop\n");
});

after(async () => {
  await greeting?.close();
  await managed?.stop();
});

/** A redir run whose output is collected and whose Ctrl-C is ours to press. */
function startRedir(ports: string[], options: { breakTunnels?: number } = {}) {
  const printed: string[] = [];
  const warnings: string[] = [];
  let press = () => {};
  const manager = adaptManager(connection.client, { podName: "web-1", lastForwardError: () => undefined });
  // The first `breakTunnels` tunnels that carry a connection fail under way, as a dropped
  // channel would fail them.
  let toBreak = options.breakTunnels ?? 0;
  const deps: RedirDeps = {
    podName: "web-1",
    manager: {
      ...manager,
      tunnel: () => {
        const call = manager.tunnel();
        call.once("data", () => {
          if (toBreak-- > 0) setImmediate(() => call.cancel());
        });
        return call;
      },
    },
    dialLocal,
    lastForwardError: () => undefined,
    print: (line) => printed.push(line),
    warn: (message) => warnings.push(message),
    onInterrupt: (handler) => {
      press = () => handler("SIGINT");
      return () => (press = () => {});
    },
  };
  const exit = runRedir(toRedirConfig({ pod: "web-1", ports }), deps);
  exit.catch(() => {});
  return { printed, warnings, exit, interrupt: () => press() };
}

/**
 * Setting a redirect up is a Redirect call and an nft command: well under a second, but CI once
 * saw it pass 5 s with the cluster still running beside the namespace tier. A hung set-up still
 * fails here.
 */
const setUpTimeoutMs = 15_000;

async function until(what: string, check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An HTTP request from the peer to the pod's port 8080; the whole answer as text. */
async function askPod(): Promise<string> {
  const connection = await connectFrom({ ns: pod.peerNs, host: pod.podIp4, port: 8080 });
  connection.write("GET / HTTP/1.0\r\n\r\n");
  return readAll(connection);
}

test("connections to the pod's port reach my local server, with a line per redirect and per connection", { timeout: 30_000 }, async () => {
  const redir = startRedir([`8080:${greeting.port}`]);
  await until("the redirect", () => redir.printed.length > 0, setUpTimeoutMs);
  assert.deepEqual(redir.printed, [`redirecting port 8080 of pod web-1 → localhost:${greeting.port}`]);
  assert.equal(await askPod(), "hello from my laptop\n");
  await until("the connection line", () => redir.printed.length > 1);
  assert.match(redir.printed[1] ?? "", new RegExp(`^connection from 10\\.240\\.0\\.1:\\d+ to web-1:8080 → localhost:${greeting.port}$`));
  redir.interrupt();
  assert.equal(await redir.exit, 0);
  await waitForRules({ pod, until: (rules) => !/dport 8080/.test(rules), what: "the rule to go", timeoutMs: 2000 });
  assert.match(await askPod(), new RegExp(`^HTTP/1.0 200 OK\r\n[^]*\r\n\r\nhello from rrun-${process.pid}\n$`));
});

test("a local target that refuses is a warning for that connection, and the redirect goes on", { timeout: 30_000 }, async () => {
  const port = await findClosedPort();
  const redir = startRedir([`8080:${port}`]);
  await until("the redirect", () => redir.printed.length > 0, setUpTimeoutMs);
  assert.equal(await askPod(), "");
  await until("the warning", () => redir.warnings.length > 0);
  assert.match(
    redir.warnings[0] ?? "",
    new RegExp(`^connection from 10\\.240\\.0\\.1:\\d+ to web-1:8080 reset: nothing accepts connections on localhost:${port} \\(ECONNREFUSED\\); start the local server there$`),
  );
  const late = await startGreetingServerOn(port, "late but here\n");
  assert.equal(await askPod(), "late but here\n");
  redir.interrupt();
  assert.equal(await redir.exit, 0);
  late.close();
});

test("a connection whose tunnel fails is one warning line, its peer is reset, and the next connection goes through", { timeout: 30_000 }, async () => {
  const redir = startRedir([`8080:${greeting.port}`], { breakTunnels: 1 });
  await until("the redirect", () => redir.printed.length > 0, setUpTimeoutMs);
  const lost = await connectFrom({ ns: pod.peerNs, host: pod.podIp4, port: 8080 });
  lost.end("GET / HTTP/1.0\r\n\r\n");
  const lostAnswer = await readAll(lost).catch(() => "");
  assert.doesNotMatch(lostAnswer, /hello from my laptop/);
  await until("the warning", () => redir.warnings.length > 0);
  assert.equal(redir.warnings.length, 1, redir.warnings.join("\n"));
  assert.match(redir.warnings[0] ?? "", /^connection from 10\.240\.0\.1:\d+ to web-1:8080 lost its tunnel: Cancelled on client$/);
  assert.equal(await askPod(), "hello from my laptop\n");
  redir.interrupt();
  assert.equal(await redir.exit, 0);
});

test("a redirect the manager refuses fails the command and removes the ones already set up", { timeout: 30_000 }, async () => {
  // The last story's redir exits once it has cancelled its stream; the manager removes that
  // redirect of port 8080 a moment later, and this story needs the port free.
  await waitForRules({ pod, until: (rules) => !/dport 8080/.test(rules), what: "the last story's redirect to go", timeoutMs: 5000 });
  const redir = startRedir([`8080:${greeting.port}`, `${manager.port}:${greeting.port}`]);
  await assert.rejects(redir.exit, {
    name: "KdiagError",
    message:
      `cannot redirect port ${manager.port} of pod web-1: port ${manager.port} is the kdiag manager's own gRPC port; ` +
      "redirecting it would cut the manager off; the other redirects were removed too",
  });
  await waitForRules({ pod, until: (rules) => !/dport 8080/.test(rules), what: "every rule to go", timeoutMs: 2000 });
  assert.doesNotMatch(await dumpRules(pod), /dport 8080/);
});

async function findClosedPort(): Promise<number> {
  const server = createServer().listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

async function startGreetingServerOn(port: number, text: string) {
  const server = createServer((socket) => socket.end(text)).listen(port, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return server;
}
