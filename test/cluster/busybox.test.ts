// Plain kubectl against a busybox pod on the local cluster: logs -f, exec -it through a real
// terminal, and port-forward carrying data both ways.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { connect } from "node:net";
import { after, before, test } from "node:test";
import { busyboxPod } from "./fixtures.ts";
import { apply, createNamespace, ensureCluster, waitForPods, type TestNamespace } from "./kube.ts";
import { follow, portForward } from "./streams.ts";
import { openKubectlTerminal, promptPattern } from "./terminal.ts";

let ns: TestNamespace;
const echoPort = 9000;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-cluster-busybox");
  await apply(ns.name, [
    busyboxPod({
      name: "busybox",
      command: `nc -ll -p ${echoPort} -e cat & i=0; while :; do echo "tick $i"; i=$((i+1)); sleep 0.5; done`,
    }),
  ]);
  await waitForPods(ns.name, "pod/busybox");
});
after(async () => ns?.cleanup());

test("kubectl logs -f streams the pod's lines as they are printed, in order", async () => {
  const logs = follow(["-n", ns.name, "logs", "-f", "busybox", "--tail=1"]);
  try {
    const output = await logs.waitFor((text) => text.split("\n").length > 4, "four new log lines");
    const ticks = output.trim().split("\n").map((line) => Number(/^tick (\d+)$/.exec(line)?.[1]));
    assert.ok(ticks.every((tick) => Number.isInteger(tick)), `every line is a tick: ${output}`);
    const first = ticks[0]!;
    assert.deepEqual(ticks, ticks.map((_, i) => first + i));
  } finally {
    await logs.stop();
  }
});

test("kubectl exec -it gives a shell on a terminal: output, the size after a resize, the exit code", async () => {
  const term = openKubectlTerminal(["-n", ns.name, "exec", "-it", "busybox", "--", "sh"]);
  try {
    await term.waitFor(promptPattern, "shell prompt");
    term.clear();
    term.write("echo $((6 * 7)); tty\r");
    await term.waitFor(/\r\n42\r\n\/dev\/pts\/\d+\r\n/, "42 and a pts device");
    term.resize(132, 50);
    await new Promise((resolve) => setTimeout(resolve, 300));
    term.clear();
    term.write("stty size\r");
    await term.waitFor(/\r\n50 132\r\n/, "stty size 50 132");
    term.write("exit 3\r");
    assert.equal(await term.exitCode, 3);
  } finally {
    term.kill();
  }
});

test("kubectl port-forward carries 1 MiB to an echo server in the pod and the same 1 MiB back", async () => {
  const forward = await portForward(ns.name, "busybox", echoPort);
  try {
    const sent = randomBytes(1024 * 1024);
    const received = await new Promise<Buffer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let length = 0;
      const socket = connect(forward.localPort, "127.0.0.1", () => socket.write(sent));
      socket.setTimeout(30_000, () => socket.destroy(new Error(`echo stalled after ${length} bytes`)));
      socket.on("data", (chunk: Buffer) => {
        chunks.push(chunk);
        length += chunk.length;
        if (length >= sent.length) {
          socket.destroy();
          resolve(Buffer.concat(chunks));
        }
      });
      socket.on("error", reject);
      socket.on("close", () => reject(new Error(`connection closed after ${length} bytes`)));
    });
    const digest = (data: Buffer) => createHash("sha256").update(data).digest("hex");
    assert.equal(received.length, sent.length);
    assert.equal(digest(received), digest(sent));
  } finally {
    await forward.stop();
  }
});
