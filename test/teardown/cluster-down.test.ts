// The last test file of the run (scripts/test-all.sh lists it after every tier):
// `npm run cluster:down` stops the local cluster and leaves nothing of it on the machine.
// test/cluster/check-clean.sh lists leftovers as "KIND: WHAT" lines; it is run before and after.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import path from "node:path";
import { before, test } from "node:test";
import { promisify } from "node:util";
import { busyboxPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, waitForPods } from "../cluster/kube.ts";

const root = path.resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

async function leftovers(): Promise<string[]> {
  const result = await run("bash", ["test/cluster/check-clean.sh"], { cwd: root }).catch(
    (error: { stdout?: string }) => ({ stdout: error.stdout ?? "" }),
  );
  return result.stdout.split("\n").filter((line) => line !== "");
}

const ofKind = (lines: string[], ...kinds: string[]) => lines.filter((line) => kinds.some((kind) => line.startsWith(`${kind}: `)));

let podStarted: Error | undefined;
let whileUp: string[];
let down: { exitCode: number; output: string };
let afterDown: string[];

/** A running pod, so that there is a sandbox, a network namespace, a veth and mounts to remove. */
async function startPod(): Promise<void> {
  await ensureCluster();
  const ns = await createNamespace("kdiag-teardown");
  await apply(ns.name, [busyboxPod({ name: "left-running" })]);
  await waitForPods(ns.name, "pod/left-running");
}

before(async () => {
  // cluster:down runs whatever happened before; a failure here fails the first test, not the hook.
  podStarted = await startPod().then(
    () => undefined,
    (error: Error) => error,
  );
  whileUp = await leftovers();
  down = await run("npm", ["run", "--silent", "cluster:down"], { cwd: root, timeout: 120_000 }).then(
    ({ stdout, stderr }) => ({ exitCode: 0, output: stdout + stderr }),
    (error: { code?: number; stdout?: string; stderr?: string }) => ({
      exitCode: typeof error.code === "number" ? error.code : 1,
      output: `${error.stdout ?? ""}${error.stderr ?? ""}`,
    }),
  );
  afterDown = await leftovers();
});

test("while the cluster runs a pod, the leftover check sees its processes, mounts, network namespace, links and state", () => {
  assert.equal(podStarted, undefined, `no pod could be started before cluster:down: ${podStarted?.message}`);
  for (const kind of ["process", "mount", "netns", "link", "state"]) {
    assert.ok(ofKind(whileUp, kind).length > 0, `no ${kind} seen while the cluster ran: ${whileUp.join("; ")}`);
  }
});

test("npm run cluster:down succeeds", () => {
  assert.equal(down.exitCode, 0, down.output);
  assert.match(down.output, /\[cluster\] cluster down in \d+s\n$/);
});

test("after cluster:down no process of the cluster is left: components, shims, pod processes", () => {
  assert.deepEqual(ofKind(afterDown, "process"), []);
});

test("after cluster:down nothing is mounted under the cluster's state directories", () => {
  assert.deepEqual(ofKind(afterDown, "mount"), []);
});

test("after cluster:down no pod network namespace, veth or bridge is left", () => {
  assert.deepEqual(ofKind(afterDown, "netns", "link"), []);
});

test("after cluster:down no iptables rule or chain of the kubelet or the CNI plugins is left", () => {
  assert.deepEqual(ofKind(afterDown, "rule"), []);
});

test("after cluster:down no pod cgroup and no state directory is left", () => {
  assert.deepEqual(ofKind(afterDown, "cgroup", "state"), []);
  assert.deepEqual(afterDown, []);
});
