import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1ContainerStatus } from "@kubernetes/client-node";
import { readSecondsUntilRestart } from "../../pkg/kube/restart-backoff.ts";
import { describeTargetForEnter } from "../../pkg/kube/target-container.ts";

// A crash-looping container's status as the kubelet publishes it (client-node turns the
// timestamps into Dates).
function crashLooping(backOff: string, finishedAt: string): V1ContainerStatus {
  return {
    name: "crasher",
    containerID: "containerd://3f9a0c1d2e",
    image: "docker.io/library/busybox:1.36",
    imageID: "sha256:0a1b",
    ready: false,
    restartCount: 3,
    started: false,
    lastState: {
      terminated: {
        containerID: "containerd://3f9a0c1d2e",
        exitCode: 1,
        reason: "Error",
        startedAt: new Date(Date.parse(finishedAt) - 3000),
        finishedAt: new Date(finishedAt),
      },
    },
    state: {
      waiting: {
        reason: "CrashLoopBackOff",
        message: `back-off ${backOff} restarting failed container=crasher pod=crashing_kdiag-e2e(5d1f0e5c-6f0e-4d7e-9d55-0c8f4b7f4e11)`,
      },
    },
  };
}

test("a container in CrashLoopBackOff restarts when its back-off, counted from the end of its last run, is over", () => {
  const status = crashLooping("40s", "2025-11-29T20:20:35Z");
  assert.equal(readSecondsUntilRestart(status, new Date("2025-11-29T20:20:35Z")), 40);
  assert.equal(readSecondsUntilRestart(status, new Date("2025-11-29T20:20:50.2Z")), 25);
  // Due (or late: the kubelet syncs the pod every few seconds) is 0, never negative.
  assert.equal(readSecondsUntilRestart(status, new Date("2025-11-29T20:21:30Z")), 0);
});

test("back-offs of a minute or more are read as Go writes them", () => {
  assert.equal(readSecondsUntilRestart(crashLooping("1m20s", "2025-11-29T20:00:00Z"), new Date("2025-11-29T20:00:00Z")), 80);
  assert.equal(readSecondsUntilRestart(crashLooping("5m0s", "2025-11-29T20:00:00Z"), new Date("2025-11-29T20:01:00Z")), 240);
});

test("a status that does not say when is no guess", () => {
  const status = crashLooping("40s", "2025-11-29T20:20:35Z");
  const now = new Date("2025-11-29T20:20:40Z");
  assert.equal(readSecondsUntilRestart({ ...status, state: { waiting: { reason: "ContainerCreating" } } }, now), undefined);
  assert.equal(readSecondsUntilRestart({ ...status, lastState: {} }, now), undefined);
  assert.equal(readSecondsUntilRestart({ ...status, state: { waiting: { reason: "CrashLoopBackOff", message: "something else" } } }, now), undefined);
  assert.equal(readSecondsUntilRestart(undefined, now), undefined);
});

test("shell's refusal of a crash-looping target says when it restarts and offers --wait", () => {
  const pod = { metadata: { name: "crashing" }, status: { containerStatuses: [crashLooping("20s", "2025-11-29T20:20:35Z")] } };
  assert.throws(() => describeTargetForEnter(pod, "crasher", { offersWait: true, now: new Date("2025-11-29T20:20:41Z") }), {
    message:
      "container `crasher` in pod `crashing` is not running (CrashLoopBackOff, last exit code 1; the kubelet restarts it in about 14s); " +
      "enter it at its next start with --wait, or see why with `kubectl logs crashing -c crasher --previous`",
  });
});
