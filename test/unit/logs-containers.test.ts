import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { chooseContainers, isContainerRunning } from "../../pkg/commands/logs/containers.ts";

const pod: V1Pod = {
  metadata: { name: "web-1" },
  spec: {
    containers: [{ name: "app" }, { name: "proxy" }],
    initContainers: [{ name: "setup" }, { name: "mesh", restartPolicy: "Always" }],
    ephemeralContainers: [{ name: "kdiag-1a2b" }, { name: "debugger" }],
  },
  status: { containerStatuses: [{ name: "app", image: "", imageID: "", ready: true, restartCount: 0, state: { running: {} } }] },
};

test("by default the pod's first container is followed", () => {
  assert.deepEqual(chooseContainers(pod, { all: false }).containers, ["app"]);
});

test("the default-container annotation is honoured as kubectl does", () => {
  const annotated = { ...pod, metadata: { name: "web-1", annotations: { "kubectl.kubernetes.io/default-container": "proxy" } } };
  assert.deepEqual(chooseContainers(annotated, { all: false }).containers, ["proxy"]);
});

test("--all follows sidecars and ephemeral containers but not finished init containers or kdiag's manager", () => {
  assert.deepEqual(chooseContainers(pod, { all: true }).containers, ["mesh", "app", "proxy", "debugger"]);
});

test("a container the pod does not have is reported with the pod's containers", () => {
  assert.deepEqual(chooseContainers(pod, { all: false, container: "db" }), {
    containers: [],
    missing: "db",
    known: ["app", "proxy", "setup", "mesh", "kdiag-1a2b", "debugger"],
  });
});

test("only a container with a running state can be followed", () => {
  assert.equal(isContainerRunning(pod, "app"), true);
  assert.equal(isContainerRunning(pod, "proxy"), false);
});
