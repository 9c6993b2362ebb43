// A target in CrashLoopBackOff, the state people most need a shell in: without --wait the
// refusal is one line within seconds naming the state and when the kubelet restarts it; with
// --wait the shell enters at the next start; Ctrl-C while waiting is one line, exit 130.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { V1ContainerStatus } from "@kubernetes/client-node";
import { execa } from "execa";
import { readSecondsUntilRestart } from "../../pkg/kube/restart-backoff.ts";
import { busyboxPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, type TestNamespace } from "../cluster/kube.ts";
import { bundle, errorLines, kdiag, userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-crash-loop");
  // Runs 20 s (time for kdiag to enter), then fails: the kubelet backs off 10 s, 20 s, 40 s…
  await apply(ns.name, [busyboxPod({ name: "crashing", command: "echo crash-looping > /marker; sleep 20; exit 1" })]);
});
after(async () => ns?.cleanup());

/** Waits until the kubelet holds the container back (CrashLoopBackOff) for 6 s more at least. */
async function waitForBackOff(): Promise<void> {
  const deadline = Date.now() + 150_000;
  for (;;) {
    const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "crashing", "-o", "jsonpath={.status.containerStatuses[0]}"]);
    const status = JSON.parse(stdout || "{}") as V1ContainerStatus;
    if ((readSecondsUntilRestart(status, new Date()) ?? 0) >= 6) return;
    assert.ok(Date.now() < deadline, `the container was never held back for long (last: ${stdout})`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

test("a shell in a crash-looping container is refused in one line within 5 s, saying when it restarts and offering --wait", async () => {
  await waitForBackOff();
  const started = Date.now();
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "crashing", "--", "-c", "cat /marker"]);
  const elapsedMs = Date.now() - started;
  assert.equal(result.exitCode, 1, String(result.stderr));
  assert.match(
    String(result.stderr),
    /^kdiag: container `busybox` in pod `crashing` is not running \(CrashLoopBackOff, last exit code 1; the kubelet restarts it in about \d+s\); enter it at its next start with --wait, or see why with `kubectl logs crashing -c busybox --previous`$/m,
  );
  assert.equal(errorLines(result.stderr).length, 1, String(result.stderr));
  assert.ok(elapsedMs < 5_000, `the refusal took ${elapsedMs} ms`);
  // Nothing was added to the pod.
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "crashing", "-o", "jsonpath={.spec.ephemeralContainers}"]);
  assert.equal(stdout, "");
});

test("Ctrl-C while shell --wait waits ends it with one line and exit 130", async () => {
  await waitForBackOff();
  // The bundle itself, so that the signal reaches kdiag and not kubectl.
  const waiting = execa("node", [bundle, "shell", "--wait", "-n", ns.name, "--pod", "crashing", "--", "-c", "true"], {
    reject: false,
    stdin: "ignore",
    env: userEnv,
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  waiting.kill("SIGINT");
  const result = await waiting;
  assert.equal(result.exitCode, 130, String(result.stderr));
  assert.equal(String(result.stderr), "kdiag: stopped waiting for container `busybox` in pod `crashing` to run (interrupted)");
});

test("shell --wait enters the crash-looping container at its next start and runs the command there", async () => {
  await waitForBackOff();
  const result = await kdiag(["shell", "--wait", "-n", ns.name, "--pod", "crashing", "--", "-c", "cat /marker"], { timeout: 120_000 });
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(String(result.stdout), "crash-looping");
});
