import assert from "node:assert/strict";
import { test } from "node:test";
import { getInvocationName } from "../../pkg/invocation.ts";

test("run as the kubectl-kdiag executable, kdiag is a kubectl plugin and says `kubectl kdiag`", () => {
  assert.equal(getInvocationName("/usr/local/bin/kubectl-kdiag"), "kubectl kdiag");
  assert.equal(getInvocationName("/opt/kdiag/dist/kubectl-kdiag.js"), "kubectl kdiag");
});

test("under any other name it says `kdiag`", () => {
  assert.equal(getInvocationName("/usr/local/bin/kdiag"), "kdiag");
  assert.equal(getInvocationName("/usr/local/bin/kubectl-kdiag-old"), "kdiag");
  assert.equal(getInvocationName(undefined), "kdiag");
});

test("run as kubectl_complete-kdiag (how kubectl asks a plugin for completions), kdiag completes", () => {
  assert.equal(getInvocationName("/usr/local/bin/kubectl_complete-kdiag"), "completion");
});

test("started by npm's launcher, the name the user typed counts, not the bundle's path", () => {
  assert.equal(getInvocationName("/usr/lib/node_modules/kdiag/dist/kubectl-kdiag.js", "kubectl_complete-kdiag"), "completion");
  assert.equal(getInvocationName("/usr/lib/node_modules/kdiag/dist/kubectl-kdiag.js", "kdiag"), "kdiag");
  assert.equal(getInvocationName("/usr/lib/node_modules/kdiag/dist/kdiag.js", "kubectl-kdiag"), "kubectl kdiag");
});
