import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { readAll, startGreetingServer, type LocalServer } from "./fixtures/echo.ts";
import { startManagedPod, type ManagedPod } from "./fixtures/managed-pod.ts";
import { connectFrom, waitForRules, type Pod } from "./fixtures/pod.ts";
import { followRedirect, type ManagerConnection } from "./fixtures/redirect-client.ts";

let managed: ManagedPod;
let pod: Pod;
let connection: ManagerConnection;
let laptop: LocalServer;

before(async () => {
  managed = await startManagedPod({ name: "rout" });
  ({ pod, connection } = managed);
  laptop = await startGreetingServer("hello from the laptop\n");
});

after(async () => {
  await laptop?.close();
  await managed?.stop();
});

for (const family of ["IPv4", "IPv6"] as const) {
  test(`${family}: a process in the pod that connects to an outside address on the redirected port lands on my local server`, async () => {
    const peerIp = family === "IPv4" ? pod.peerIp4 : pod.peerIp6;
    const redirect = followRedirect({ connection, pod, port: 9000, outgoing: true, target: { host: "127.0.0.1", port: laptop.port } });
    await redirect.installed;

    const answer = await readAll(await connectFrom({ ns: pod.podNs, host: peerIp, port: 9000 }));

    assert.equal(answer, "hello from the laptop\n");
    const podIp = family === "IPv4" ? pod.podIp4 : `[${pod.podIp6}]`;
    assert.match(redirect.peers[0] ?? "", new RegExp(`^${podIp.replace(/[.[\]]/g, "\\$&")}:\\d+$`));
    redirect.cancel();
    await waitForRules({ pod, until: (rules) => !rules.includes("kdiag port"), what: "the redirect rule to go" });
    // Nothing listens on the peer: without the rule the same connection is refused.
    assert.equal(await readAll(await connectFrom({ ns: pod.podNs, host: peerIp, port: 9000 })).catch(() => ""), "");
  });
}

test("while an outgoing redirect is live, nothing of the manager's listens beyond the pod's loopback", async () => {
  const redirect = followRedirect({ connection, pod, port: 9000, outgoing: true, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  const listening = (await pod.exec(["ss", "-Hltn"])).trim().split("\n").map((line) => line.trim().split(/\s+/)[3]);
  assert.equal(listening.length, 3, `the gRPC port and two redirect listeners: ${listening.join(", ")}`);
  for (const address of listening) assert.match(address ?? "", /^(127\.0\.0\.1|\[::1\]):\d+$/);
  redirect.cancel();
  await waitForRules({ pod, until: (rules) => !rules.includes("kdiag port"), what: "the redirect rule to go" });
});

test("the pod's connections to its own loopback on the redirected port are left alone", async () => {
  const redirect = followRedirect({ connection, pod, port: 9000, outgoing: true, target: { host: "127.0.0.1", port: laptop.port } });
  await redirect.installed;
  assert.equal(await readAll(await connectFrom({ ns: pod.podNs, host: "127.0.0.1", port: 9000 })), "");
  assert.equal(redirect.peers.length, 0);
  redirect.cancel();
  await waitForRules({ pod, until: (rules) => !rules.includes("kdiag port"), what: "the redirect rule to go" });
});
