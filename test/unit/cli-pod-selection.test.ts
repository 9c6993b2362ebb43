import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../../pkg/errors.ts";
import { pickNewestRunning, requireRunning, resolveTarget } from "../../pkg/kube/pod-selection.ts";

function pod(name: string, phase: string, created: string, extra: Partial<V1Pod["metadata"]> = {}): V1Pod {
  return {
    metadata: { name, creationTimestamp: new Date(created), ...extra },
    spec: { containers: [{ name: "app" }, { name: "second" }] },
    status: { phase },
  };
}
const where = { selector: "app=web", namespace: "team" };
const failsWith = (message: string) => (error: unknown) => error instanceof KdiagError && error.message === message;

test("with -l the newest Running pod wins", () => {
  const pods = [pod("old", "Running", "2026-01-01T00:00:00Z"), pod("new", "Running", "2026-01-02T00:00:00Z"), pod("newest", "Pending", "2026-01-03T00:00:00Z")];
  assert.equal(pickNewestRunning(pods, where).metadata?.name, "new");
});

test("a terminating pod is not chosen", () => {
  const pods = [pod("a", "Running", "2026-01-01T00:00:00Z"), pod("b", "Running", "2026-01-02T00:00:00Z", { deletionTimestamp: new Date() })];
  assert.equal(pickNewestRunning(pods, where).metadata?.name, "a");
});

test("a selector matching nothing, or nothing Running, says so in one line", () => {
  assert.throws(() => pickNewestRunning([], where), failsWith("no pod matches -l `app=web` in namespace `team`"));
  assert.throws(
    () => pickNewestRunning([pod("a", "Pending", "2026-01-01T00:00:00Z"), pod("b", "Succeeded", "2026-01-01T00:00:00Z")], where),
    failsWith("no Running pod matches -l `app=web` in namespace `team`; found a (Pending), b (Succeeded)"),
  );
  assert.throws(() => requireRunning(pod("a", "Pending", "2026-01-01T00:00:00Z")), failsWith("pod `a` is Pending, not Running; kdiag works on running pods"));
});

test("-t defaults to the first container; an unknown one lists the pod's containers", () => {
  const p = pod("web-1", "Running", "2026-01-01T00:00:00Z");
  assert.equal(resolveTarget(p, undefined), "app");
  assert.equal(resolveTarget(p, "second"), "second");
  assert.throws(() => resolveTarget(p, "nope"), failsWith("container `nope` (from -t) is not in pod `web-1`; its containers: app, second"));
});
