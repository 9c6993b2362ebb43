// kdiag on a dual-stack cluster (`npm run cluster:up -- --dual-stack`, which `npm test` starts):
// pods have an IPv4 and an IPv6 address, and a redirect takes the pod's port on both, so a client
// that dials the pod's IPv6 address reaches the developer's local server too; --outgoing catches
// a pod's IPv6 connections as it catches its IPv4 ones; the shell's toolkit speaks IPv6.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { serverPods, serverPort } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import type { Follower } from "../cluster/streams.ts";
import { startClient as startClientPod, waitForNextReply } from "./client-log.ts";
import { kdiag, startRedirInBackground } from "./kdiag-cli.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let ns: TestNamespace;
let local: LocalServer;
const followers: Follower[] = [];

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-dual-stack");
  await apply(ns.name, serverPods());
  await waitForPods(ns.name, "app=server");
  local = await startLocalServer();
});
after(async () => {
  for (const follower of followers) await follower.stop();
  await local?.close();
  await ns?.cleanup();
});

/** The pod's IPv6 address; the cluster must have been started dual-stack. */
async function podIPv6(pod: string): Promise<string> {
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", pod, "-o", "jsonpath={.status.podIPs[*].ip}"]);
  const ipv6 = stdout.split(" ").find((ip) => ip.includes(":"));
  assert.ok(ipv6, `pod ${pod} has no IPv6 address (${stdout}): start the cluster with npm run cluster:up -- --dual-stack`);
  return ipv6;
}

async function startClient(name: string, target: string): Promise<Follower> {
  const log = await startClientPod(ns.name, name, target);
  followers.push(log);
  return log;
}

test("an incoming redirect takes the pod's IPv6 address too: a client dialling it reaches my local server, then the real server after Ctrl-C", async () => {
  const client = await startClient("client-v6-in", `[${await podIPv6("server-1")}]:${serverPort}`);
  await waitForNextReply(client, "hello from server-1", "the real server's reply over IPv6");
  // Counted before the redirect starts: its first request may arrive before startRedirInBackground returns.
  const before = local.requests.length;
  const redir = await startRedirInBackground(["-n", ns.name, "--pod", "server-1", `${serverPort}:${local.port}`]);
  await waitForNextReply(client, "hello from local", "my local server's reply over IPv6");
  assert.ok(local.requests.length > before);
  assert.match(redir.output(), new RegExp(`^connection from \\[?fd00:88::[0-9a-f:]+\\]?:\\d+ to server-1:${serverPort} → localhost:${local.port}$`, "m"));
  await redir.stop();
  await waitForNextReply(client, "hello from server-1", "the real server's reply again");
});

test("an outgoing redirect catches the pod's IPv6 connections", async () => {
  const client = await startClient("client-v6-out", `[${await podIPv6("server-2")}]:${serverPort}`);
  await waitForNextReply(client, "hello from server-2", "the real server's reply over IPv6");
  const redir = await startRedirInBackground(["-n", ns.name, "--pod", "client-v6-out", "--outgoing", `${serverPort}:${local.port}`]);
  await waitForNextReply(client, "hello from local", "my local server's reply to the pod's IPv6 connection");
  await redir.stop();
  await waitForNextReply(client, "hello from server-2", "the real server's reply again");
});

test("the shell's toolkit speaks IPv6: wget of another pod's IPv6 address, and ip shows the pod's own", async () => {
  const other = await podIPv6("server-2");
  const own = await podIPv6("server-1");
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "server-1", "--", "-c", `wget -qO- http://[${other}]:${serverPort}/; ip -6 addr`]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /^hello from server-2$/m);
  assert.match(String(result.stdout), new RegExp(`inet6 ${own}/`));
});
