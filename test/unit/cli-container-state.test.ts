import assert from "node:assert/strict";
import { test } from "node:test";
import { describeFailure, readContainerState } from "../../pkg/kube/container-state.ts";

const status = (state: object) => ({ name: "kdiag-x", image: "i", imageID: "", ready: false, restartCount: 0, state });

test("no status yet, ContainerCreating and PodInitializing mean keep waiting", () => {
  assert.deepEqual(readContainerState(undefined), { kind: "waiting", reason: "Pending" });
  assert.deepEqual(readContainerState(status({ waiting: { reason: "ContainerCreating" } })), { kind: "waiting", reason: "ContainerCreating" });
  assert.deepEqual(readContainerState(status({ running: { startedAt: new Date() } })), { kind: "running" });
});

test("image-pull errors end the wait at once with the kubelet's reason and message", () => {
  for (const reason of ["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"]) {
    const state = readContainerState(status({ waiting: { reason, message: "pull access denied" } }));
    assert.deepEqual(state, { kind: "failed", reason, message: "pull access denied", imageProblem: true });
  }
});

test("container-creation errors end the wait too", () => {
  const state = readContainerState(status({ waiting: { reason: "CreateContainerError", message: "no such file" } }));
  assert.equal(state.kind, "failed");
  assert.equal(
    state.kind === "failed" && describeFailure(state, { container: "kdiag-x", image: "img:1" }),
    "kdiag's container `kdiag-x` cannot start, CreateContainerError: no such file",
  );
});

test("an image failure is one sentence naming the image and the fix", () => {
  const state = readContainerState(status({ waiting: { reason: "ErrImagePull", message: "failed to pull\nand unpack" } }));
  assert.ok(state.kind === "failed");
  assert.equal(
    describeFailure(state, { container: "kdiag-x", image: "nope:1" }),
    "kdiag's container `kdiag-x` cannot start, image `nope:1` ErrImagePull: failed to pull and unpack; pass --image with an image the node can pull",
  );
});

test("a manager that exited before it was seen running is a failure with its last words", () => {
  const state = readContainerState(status({ terminated: { exitCode: 3, reason: "Error", message: "starting\nnode: not found\n" } }));
  assert.deepEqual(state, { kind: "failed", reason: "Error", message: "exited with code 3: node: not found", imageProblem: false });
});
