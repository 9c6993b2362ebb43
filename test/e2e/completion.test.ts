// `kubectl kdiag <TAB>` on the project's cluster: the real kubectl runs kubectl_complete-kdiag
// (found on PATH beside the plugin) and shows what it prints.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { scratchPod, twoContainerPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-completion");
  await apply(ns.name, [scratchPod(), twoContainerPod()]);
  await waitForPods(ns.name, "app=two");
});
after(async () => ns?.cleanup());

/** What kubectl's shell script would get for `kubectl kdiag WORDS<TAB>`. */
async function completeWords(...words: string[]): Promise<string[]> {
  const result = await execa("kubectl", ["__complete", "kdiag", ...words], { env: userEnv, reject: false, stdin: "ignore" });
  assert.equal(result.exitCode, 0, result.stderr);
  return result.stdout.split("\n");
}

test("kubectl kdiag shell --pod <TAB> lists the pods of the namespace on the line", async () => {
  assert.deepEqual(await completeWords("shell", "-n", ns.name, "--pod", ""), ["scratch", "two", ":4"]);
  assert.deepEqual(await completeWords("ps", "--namespace", ns.name, "--pod", "t"), ["two", ":4"]);
});

test("kubectl kdiag shell -t <TAB> lists the containers of the chosen pod", async () => {
  assert.deepEqual(await completeWords("shell", "-n", ns.name, "--pod", "two", "-t", ""), ["web", "admin", ":4"]);
  assert.deepEqual(await completeWords("redir", "-n", ns.name, "-l", "app=scratch", "-t", ""), ["server", ":4"]);
});

test("kubectl kdiag -n <TAB> lists the namespaces, this test's among them", async () => {
  const lines = await completeWords("ps", "-n", "");
  assert.ok(lines.includes(ns.name), lines.join(" "));
  assert.ok(lines.includes("default"), lines.join(" "));
  assert.equal(lines.at(-1), ":4");
});

test("kubectl kdiag <TAB> lists the commands, and a flag being typed completes", async () => {
  assert.deepEqual((await completeWords("")).map((line) => line.split("\t")[0]), ["shell", "logs", "redir", "ps", "reach", "rules", "doctor", "version", ":4"]);
  assert.deepEqual(await completeWords("shell", "--privi"), ["--privileged-programs", ":4"]);
});

test("with a kubeconfig that does not exist, --pod <TAB> offers nothing rather than file names", async () => {
  const lines = await completeWords("shell", "--kubeconfig", "/nonexistent/kubeconfig", "--pod", "");
  assert.deepEqual(lines, [":1"]);
});
