import assert from "node:assert/strict";
import { test } from "node:test";
import { commands } from "../../cmd/command-list.ts";
import { readCompletionSpec } from "../../cmd/completion/spec-from-yargs.ts";
import { complete, formatCompletion, type ClusterValues } from "../../pkg/completion/complete.ts";
import { readCompletionRequest } from "../../pkg/completion/words.ts";

const spec = readCompletionSpec(commands);
const asked: string[] = [];
const cluster: ClusterValues = async (flag, request) => {
  asked.push(`${flag} ${JSON.stringify(request.given)}`);
  return flag === "pod" ? ["web-0", "web-1", "db-0"] : flag === "target" ? ["server", "sidecar"] : ["default", "team-a"];
};
const text = async (...words: string[]) => formatCompletion(await complete(spec, words, cluster));

test("kubectl kdiag <TAB> offers the commands with what each does, and no file names", async () => {
  const out = await text("");
  assert.match(out, /^shell\tOpen a shell in a container, even one whose image has no shell\n/);
  assert.deepEqual(out.split("\n").map((line) => line.split("\t")[0]), ["shell", "logs", "redir", "ps", "reach", "rules", "doctor", "version", ":4", ""]);
  assert.equal(await text("red"), "redir\tSend a pod's traffic for some ports to this machine (a reverse port-forward)\n:4\n");
});

test("a flag being typed completes among the command's own flags and the global ones", async () => {
  assert.equal(await text("ps", "--p"), "--pod\n--pull-policy\n--profile\n:4\n");
  assert.equal(await text("shell", "--priv"), "--privileged-programs\n:4\n");
  assert.match(await text("logs", "--"), /^--since$/m);
  assert.match(await text("logs", "--"), /^--namespace$/m);
});

test("a flag with choices completes its choices, also in --flag=value form", async () => {
  assert.equal(await text("ps", "-o", ""), "table\njson\nyaml\n:4\n");
  assert.equal(await text("shell", "--pull-policy=N"), "--pull-policy=Never\n:4\n");
});

test("--pod, -t and -n ask the cluster with the namespace and context already on the line", async () => {
  asked.length = 0;
  assert.equal(await text("shell", "-n", "team-a", "--context", "kind", "--pod", "web"), "web-0\nweb-1\n:4\n");
  assert.equal(await text("shell", "--pod", "web-1", "-t", ""), "server\nsidecar\n:4\n");
  assert.equal(await text("--namespace", "te"), "team-a\n:4\n");
  assert.deepEqual(asked, [
    'pod {"namespace":"team-a","context":"kind"}',
    'target {"pod":"web-1"}',
    "namespace {}",
  ]);
});

test("when the cluster cannot answer, completion offers nothing and says so to kubectl (directive 1)", async () => {
  const failing: ClusterValues = async () => {
    throw new Error("connect ECONNREFUSED 127.0.0.1:6443");
  };
  assert.equal(formatCompletion(await complete(spec, ["shell", "--pod", ""], failing)), ":1\n");
});

test("values nobody can guess offer nothing; --kubeconfig and the words after -- are the shell's file names", async () => {
  assert.equal(await text("shell", "--timeout", ""), ":4\n");
  assert.equal(await text("--kubeconfig", ""), ":0\n");
  assert.equal(await text("logs", "-l", "app=x", "--", "cu"), ":0\n");
  assert.equal(readCompletionRequest(spec, ["redir", "--pod", "x", "80"]).target.kind, "nothing");
});
