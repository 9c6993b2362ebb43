// What a manager was found to have the capabilities for is remembered for that container
// instance only: the same container skips asking, a new container (another ID) is asked again.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";

const home = mkdtempSync(path.join(tmpdir(), "kdiag-feature-cache-"));
process.env.XDG_CACHE_HOME = home;
after(() => rmSync(home, { recursive: true, force: true }));
const { forgetCheckedFeatures, readCheckedFeatures, storeCheckedFeature } = await import("../../pkg/kube/manager-feature-cache.ts");

const container = { podUid: "6f1c", container: "kdiag-netadmin-1a2b", containerId: "containerd://aaa" };

test("a feature found complete is remembered for the container that answered, beside the others", async () => {
  assert.deepEqual(await readCheckedFeatures(container), []);
  await storeCheckedFeature(container, "redirects");
  await storeCheckedFeature(container, "shell");
  await storeCheckedFeature(container, "redirects");
  assert.deepEqual(await readCheckedFeatures(container), ["redirects", "shell"]);
});

test("a new container of the same name (another container ID) is asked again", async () => {
  assert.deepEqual(await readCheckedFeatures({ ...container, containerId: "containerd://bbb" }), []);
});

test("forgetting the pod's kdiag container forgets what it had", async () => {
  await forgetCheckedFeatures(container);
  assert.deepEqual(await readCheckedFeatures(container), []);
});
