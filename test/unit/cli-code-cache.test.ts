// pkg/code-cache.ts, run as the bundle runs it: a CommonJS chunk loaded in a fresh process, its
// V8 code cache written at exit into the user's cache directory, used by the next process.
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";

const dir = mkdtempSync(path.join(tmpdir(), "kdiag-code-cache-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const chunk = path.join(dir, "client-node-0123456789ab.cjs");
writeFileSync(chunk, 'const os = require("node:os"); exports.answer = () => 40 + 2; exports.sameOs = os === require("os");\n');
const cacheDir = path.join(dir, "cache", "kdiag", "code-cache");
const cacheFile = path.join(cacheDir, "client-node-0123456789ab.cjs.v8");
const loader = path.resolve("pkg/code-cache.ts");

function load() {
  const script = `import { loadWithCodeCache } from ${JSON.stringify(loader)};
const loaded = loadWithCodeCache(new URL(${JSON.stringify(`file://${chunk}`)}));
console.log(loaded.answer(), loaded.sameOs);`;
  return execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { XDG_CACHE_HOME: path.join(dir, "cache") } });
}

test("the chunk's exports work, and its code cache is written at exit, readable by the user only", async () => {
  const first = await load();
  assert.equal(first.stdout, "42 true");
  assert.equal(statSync(cacheFile).mode & 0o777, 0o600);
  const second = await load();
  assert.equal(second.stdout, "42 true");
});

test("a cache V8 refuses (another build, damaged) is replaced, and the chunk still loads", async () => {
  writeFileSync(cacheFile, "not a code cache", { mode: 0o600 });
  const loaded = await load();
  assert.equal(loaded.stdout, "42 true");
  assert.ok(statSync(cacheFile).size > 100, "a real cache replaced the damaged one");
});

test("the cache of an earlier build of the chunk is removed when a new one is written", async () => {
  const earlier = path.join(cacheDir, "client-node-ba9876543210.cjs.v8");
  writeFileSync(earlier, "old", { mode: 0o600 });
  rmSync(cacheFile);
  await load();
  assert.deepEqual(readdirSync(cacheDir).sort(), ["client-node-0123456789ab.cjs.v8"]);
});

test("a chunk's require() of a name the loader was given gets that module, and the cache of the chunk it was split from goes", async () => {
  const core = path.join(dir, "client-node-core-00000000000a.cjs");
  writeFileSync(core, 'exports.sum = () => require("kdiag:other").part + 2;\n');
  const splitFrom = path.join(cacheDir, "client-node-ba9876543210.cjs.v8");
  const sibling = path.join(cacheDir, "client-node-api-00000000000b.cjs.v8");
  writeFileSync(splitFrom, "old", { mode: 0o600 });
  writeFileSync(sibling, "sibling", { mode: 0o600 });
  const script = `import { loadWithCodeCache } from ${JSON.stringify(loader)};
const loaded = loadWithCodeCache(new URL(${JSON.stringify(`file://${core}`)}), { "kdiag:other": () => ({ part: 40 }) });
console.log(loaded.sum());`;
  const run = await execa(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { env: { XDG_CACHE_HOME: path.join(dir, "cache") } });
  assert.equal(run.stdout, "42");
  const left = readdirSync(cacheDir).sort();
  assert.ok(left.includes("client-node-core-00000000000a.cjs.v8") && left.includes("client-node-api-00000000000b.cjs.v8"), left.join(" "));
  assert.ok(!left.includes("client-node-ba9876543210.cjs.v8"), left.join(" "));
});
