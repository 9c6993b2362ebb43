// The wait for kdiag's container after it is added: the kubelet reports a started container only
// on its next look at the runtime, so the manager's own announcement may say "running" first.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createProgress } from "../../pkg/output/progress.ts";
import { waitForContainerRunning, type WaitOptions } from "../../pkg/kube/wait-container.ts";

const waiting = { status: { ephemeralContainerStatuses: [{ name: "kdiag-1", state: { waiting: { reason: "ContainerCreating" } } }] } };
const failed = { status: { ephemeralContainerStatuses: [{ name: "kdiag-1", state: { terminated: { exitCode: 1 } } }] } };

/** The pod as the API server gives it (the narrow slice the wait reads): POD, every time. */
function options(pod: object, started?: Promise<unknown>): WaitOptions {
  // A watch the server ends at once: the wait goes on by reading the pod.
  const api = { getPod: async () => pod, listPodEvents: async () => [], watchPod: async () => {} } as unknown as WaitOptions["api"];
  return { api, podName: "web", container: "kdiag-1", image: "kdiag/manager:v1", timeoutMs: 1_000, progress: createProgress({ quiet: true }), pollMs: 10_000, started };
}

test("the status still says creating, but the manager announced itself: the wait ends at once", async () => {
  const begun = Date.now();
  const pod = await waitForContainerRunning(options(waiting, new Promise((resolve) => setTimeout(resolve, 50))));
  assert.equal(pod, waiting);
  assert.ok(Date.now() - begun < 5_000, "it did not sleep out its 10 s poll");
});

test("an announcement that failed proves nothing: the wait goes on by the status, to its deadline", async () => {
  await assert.rejects(waitForContainerRunning({ ...options(waiting, Promise.reject(new Error("no log"))), pollMs: 50 }), {
    message: /did not start within --timeout \(1s\), still ContainerCreating/,
  });
});

test("a container the status says failed is reported as failed, whatever was announced", async () => {
  await assert.rejects(waitForContainerRunning(options(failed, Promise.resolve(4242))), { name: "KdiagError", message: /exited with code 1/ });
});

test("the kubelet's running comes through the watch the moment it is written, not at the next look", async () => {
  const running = { status: { ephemeralContainerStatuses: [{ name: "kdiag-1", state: { running: {} } }] } };
  const api = {
    getPod: async () => waiting,
    listPodEvents: async () => [],
    watchPod: (_name: string, _from: string, onChange: (pod: object) => void, signal: AbortSignal) =>
      new Promise((_resolve, reject) => {
        setTimeout(() => onChange(running), 50);
        signal.addEventListener("abort", () => reject(signal.reason));
      }),
  } as unknown as WaitOptions["api"];
  const begun = Date.now();
  const pod = await waitForContainerRunning({ ...options(waiting), api, timeoutMs: 30_000 });
  assert.equal(pod, running);
  assert.ok(Date.now() - begun < 900, "it did not wait for the next look, a second later");
});
