// The shared pod fixtures run on the local cluster as their descriptions say.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clientPod, serverPods, twoContainerPod } from "./fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "./kube.ts";
import { follow } from "./streams.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-cluster-fixtures");
  await apply(ns.name, [...serverPods(), twoContainerPod()]);
  await waitForPods(ns.name, "app=server");
});
after(async () => ns?.cleanup());

test("a client pod aimed at a server pod's address prints the server's answer once a second", async () => {
  const target = `${await podIP(ns.name, "server-2")}:8080`;
  await apply(ns.name, [clientPod({ name: "client", target })]);
  await waitForPods(ns.name, "app=client");
  const logs = follow(["-n", ns.name, "logs", "-f", "client"]);
  try {
    const output = await logs.waitFor((text) => text.split("\n").length > 2, "two replies");
    assert.deepEqual(output.trim().split("\n").slice(0, 2), ["hello from server-2", "hello from server-2"]);
  } finally {
    await logs.stop();
  }
});

test("the two server pods and the two-container pod run every container", async () => {
  await waitForPods(ns.name, "pod/two");
  const { stdout } = await kubectl(["-n", ns.name, "get", "pods", "-l", "app in (server,two)", "-o",
    "jsonpath={range .items[*]}{.metadata.name}:{range .status.containerStatuses[*]}{.name}={.ready} {end}{\"\\n\"}{end}"]);
  assert.deepEqual(stdout.trim().split("\n").sort(), [
    "server-1:server=true ",
    "server-2:server=true ",
    "two:admin=true web=true",
  ]);
  assert.equal((await kubectl(["-n", ns.name, "logs", "two", "-c", "admin"])).stdout, "listening on :9090\n");
});
