// npm run cluster:load-image -- ARCHIVE: anyone's image archive becomes runnable on every node.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { apply, clusterNodeNames, createNamespace, ensureCluster, kubectl, repoRoot, type TestNamespace } from "./kube.ts";

const run = promisify(execFile);
let ns: TestNamespace;
let work: string;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-cluster-load");
  work = mkdtempSync(path.join(tmpdir(), "kdiag-load-image-"));
});
after(async () => {
  await ns?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

test("an archive loaded with npm run cluster:load-image runs in a pod with pull policy Never, on every node", async () => {
  const tag = `kdiag-test/loaded:v${process.pid}`;
  mkdirSync(path.join(work, "root"));
  copyFileSync("/bin/busybox", path.join(work, "root/busybox"));
  await run("tar", ["-C", path.join(work, "root"), "-cf", path.join(work, "layer.tar"), "busybox"]);
  await run("bash", [
    "test/cluster/images/docker-archive.sh", "--tag", tag, "--out", path.join(work, "image.tar"),
    "--entrypoint", '["/busybox","echo","the loaded image runs"]', path.join(work, "layer.tar"),
  ], { cwd: repoRoot });

  const loaded = await run("npm", ["run", "--silent", "cluster:load-image", "--", path.join(work, "image.tar")], { cwd: repoRoot });
  assert.equal(loaded.stdout, `loaded ${tag}\n`);

  const nodes = clusterNodeNames();
  await apply(ns.name, nodes.map((nodeName, index) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: `loaded-${index + 1}` },
    spec: {
      nodeName,
      restartPolicy: "Never",
      automountServiceAccountToken: false,
      containers: [{ name: "loaded", image: tag, imagePullPolicy: "Never" }],
    },
  })));
  for (const [index, nodeName] of nodes.entries()) {
    const pod = `pod/loaded-${index + 1}`;
    const waited = await kubectl(["-n", ns.name, "wait", "--for=jsonpath={.status.phase}=Succeeded", pod, "--timeout=60s"], {
      timeoutMs: 70_000,
      allowFailure: true,
    });
    assert.equal(waited.exitCode, 0, `${pod} on ${nodeName} did not succeed: ${waited.stderr}`);
    assert.equal((await kubectl(["-n", ns.name, "logs", pod])).stdout, "the loaded image runs\n");
  }
});

test("loading an archive that does not exist says so and fails", async () => {
  const missing = path.join(work, "no-such-image.tar");
  const result = await run("bash", ["test/cluster/load-image.sh", missing], { cwd: repoRoot }).then(
    () => ({ code: 0, stderr: "" }),
    (error: { code: number; stderr: string }) => error,
  );
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `kdiag: no such image archive: ${missing}\n`);
});
