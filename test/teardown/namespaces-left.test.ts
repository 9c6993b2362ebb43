// Runs after the namespace tier (node runs the files in path order; see scripts/test-all.sh): the
// "pods" those tests make out of network namespaces must all be gone again.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

test("the namespace tests leave no network namespace of theirs behind", () => {
  const names = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((line) => line.split(" ")[0] ?? "")
    .filter((name) => name.startsWith("kdiag-"));
  assert.deepEqual(names, []);
});
