import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, test } from "node:test";
import { exchange, readAll, startEchoServer, type LocalServer } from "./fixtures/echo.ts";
import { startManagedPod, type ManagedPod } from "./fixtures/managed-pod.ts";
import { connectFrom, dumpRules, waitForRules, type Pod } from "./fixtures/pod.ts";
import { followRedirect, type ManagerConnection } from "./fixtures/redirect-client.ts";

const run = promisify(execFile);

let managed: ManagedPod;
let pod: Pod;
let connection: ManagerConnection;
let echo: LocalServer;

before(async () => {
  managed = await startManagedPod({ name: "rin", containerPort: 8080 });
  ({ pod, connection } = managed);
  echo = await startEchoServer();
});

after(async () => {
  await echo?.close();
  await managed?.stop();
});

for (const family of ["IPv4", "IPv6"] as const) {
  test(`${family}: 64 connections of 1 MiB each that the peer opens to the pod's port arrive at my local server through the tunnel, byte for byte`, async () => {
    const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: echo.port } });
    await redirect.installed;
    const podIp = family === "IPv4" ? pod.podIp4 : pod.podIp6;
    const results = await Promise.all(
      Array.from({ length: 64 }, async () => exchange(await connectFrom({ ns: pod.peerNs, host: podIp, port: 8080 }), 1 << 20)),
    );
    for (const { sent, received } of results) assert.equal(received, sent);
    assert.equal(redirect.peers.length, 64);
    const peerIp = family === "IPv4" ? pod.peerIp4 : `[${pod.peerIp6}]`;
    for (const peer of redirect.peers) assert.match(peer, new RegExp(`^${escape(peerIp)}:\\d+$`));
    redirect.cancel();
    assert.equal((await redirect.ended)?.details, "Cancelled on client");
    await waitForRules({ pod, until: (rules) => !rules.includes("kdiag port"), what: "the redirect rule to go" });
  });
}

test("a process of the pod, or the peer, dialling the redirect's listener directly is reset; only connections the rule sent get through", async () => {
  const redirect = followRedirect({ connection, pod, port: 8080, target: { host: "127.0.0.1", port: echo.port } });
  await redirect.installed;
  const listener = Number(/redirect to :(\d+)/.exec(await dumpRules(pod))?.[1]);
  assert.ok(listener > 0);
  for (const [ns, host] of [[pod.podNs, "127.0.0.1"], [pod.podNs, pod.podIp4], [pod.peerNs, pod.podIp4], [pod.peerNs, pod.podIp6]] as const) {
    // bash's /dev/tcp says plainly whether the connection was made.
    const dialled = await run("ip", ["netns", "exec", ns, "bash", "-c", `exec 3<>/dev/tcp/${host}/${listener}`]).then(
      () => "connected",
      (error: { stderr: string }) => error.stderr,
    );
    assert.match(dialled, /Connection refused/, `${ns} → ${host}:${listener}`);
  }
  assert.equal(redirect.peers.length, 0);
  const { sent, received } = await exchange(await connectFrom({ ns: pod.peerNs, host: pod.podIp4, port: 8080 }), 1024);
  assert.equal(received, sent);
  redirect.cancel();
  await waitForRules({ pod, until: (rules) => !rules.includes("kdiag port"), what: "the redirect rule to go" });
});

test("a redirected connection no tunnel of my client takes is reset after about 10 seconds", async () => {
  const stream = connection.client.redirect({ port: 8080, outgoing: false });
  await new Promise((resolve) => stream.once("metadata", resolve));
  const peer = await connectFrom({ ns: pod.peerNs, host: pod.podIp4, port: 8080 });
  const started = Date.now();
  assert.equal(await readAll(peer).catch(() => ""), "");
  const seconds = (Date.now() - started) / 1000;
  assert.ok(seconds > 9 && seconds < 12, `closed after ${seconds} s`);
  stream.on("error", () => {}); // CANCELLED, by us
  stream.cancel();
  await waitForRules({ pod, until: (rules) => !rules.includes("kdiag port"), what: "the redirect rule to go" });
});

function escape(text: string): string {
  return text.replace(/[.[\]]/g, "\\$&");
}
