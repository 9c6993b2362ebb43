// Plain kubectl against a scratch pod (one static server, no shell) on the local cluster:
// logs -f of requests sent through port-forward, exec failing for want of a shell, and
// kubectl debug --target adding an ephemeral container that shares the server's pid namespace.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, test } from "node:test";
import { scratchPod, serverPort } from "./fixtures.ts";
import { apply, createNamespace, ensureCluster, images, kubectl, waitForPods, type TestNamespace } from "./kube.ts";
import { follow, portForward } from "./streams.ts";
import { openKubectlTerminal, promptPattern } from "./terminal.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-cluster-scratch");
  await apply(ns.name, [scratchPod({ name: "scratch" })]);
  await waitForPods(ns.name, "pod/scratch");
});
after(async () => ns?.cleanup());

test("a request through kubectl port-forward gets the server's answer and kubectl logs -f shows it", async () => {
  const logs = follow(["-n", ns.name, "logs", "-f", "scratch"]);
  const forward = await portForward(ns.name, "scratch", serverPort);
  try {
    const path = `/probe-${randomBytes(4).toString("hex")}`;
    const response = await fetch(`http://127.0.0.1:${forward.localPort}${path}`);
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "hello from scratch\n");
    const output = await logs.waitFor((text) => text.includes(` GET ${path}\n`), `the log line of GET ${path}`);
    assert.match(output, /^listening on :8080\n/);
    assert.match(output, new RegExp(`\\n127\\.0\\.0\\.1:\\d+ GET ${path}\\n`));
  } finally {
    await forward.stop();
    await logs.stop();
  }
});

test("kubectl exec into the scratch pod fails because its image has no shell", async () => {
  const result = await kubectl(["-n", ns.name, "exec", "scratch", "--", "sh", "-c", "true"], { allowFailure: true });
  assert.notEqual(result.exitCode, 0);
  assert.match(result.stderr, /exec: "sh": executable file not found in \$PATH/);
});

test("kubectl debug -it --target adds a busybox container that sees the scratch server as PID 1", async () => {
  const term = openKubectlTerminal([
    "-n", ns.name, "debug", "-it", "scratch", `--image=${images.busybox}`, "--image-pull-policy=Never",
    "--target=server", "--container=debugger", "--profile=general", "--", "sh",
  ]);
  try {
    await term.waitFor(/If you don't see a command prompt|# /, "the attached shell");
    term.write("\r");
    await term.waitFor(promptPattern, "shell prompt");
    term.clear();
    term.write("tr '\\0' ' ' </proc/1/cmdline; echo; ls -1 /proc/1/root/ | tr '\\n' ' '; echo\r");
    await term.waitFor(/\r\n\/server 8080 \r\ndev etc proc server sys \r\n/, "PID 1's command line and root");
    term.write("exit\r");
    assert.equal(await term.exitCode, 0);
  } finally {
    term.kill();
  }
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "scratch", "-o", "json"]);
  const pod = JSON.parse(stdout) as { spec: { ephemeralContainers?: { name: string; targetContainerName?: string }[] } };
  assert.deepEqual(
    pod.spec.ephemeralContainers?.map(({ name, targetContainerName }) => ({ name, targetContainerName })),
    [{ name: "debugger", targetContainerName: "server" }],
  );
});
