// The user's kdiag cache holds what a later command trusts — a credential, a port, V8 code that
// runs as the user — so only plain files of the user's, in directories nobody else may write,
// are read, and a link is never followed.
import assert from "node:assert/strict";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { readCacheFile, readCacheFileSync } from "../../pkg/kube/cache-file.ts";

const home = mkdtempSync(path.join(tmpdir(), "kdiag-cache-file-"));
process.env.XDG_CACHE_HOME = home;
const dir = path.join(home, "kdiag", "credentials");
mkdirSync(dir, { recursive: true, mode: 0o700 });
after(() => rmSync(home, { recursive: true, force: true }));

test("a plain 0600 file of mine in my 0700 directory is read", async () => {
  writeFileSync(path.join(dir, "mine.json"), "mine", { mode: 0o600 });
  assert.equal(await readCacheFile(path.join(dir, "mine.json")), "mine");
  assert.equal(readCacheFileSync(path.join(dir, "mine.json"))?.toString(), "mine");
});

test("a link is not followed, even to a file of mine", async () => {
  const elsewhere = path.join(home, "planted");
  writeFileSync(elsewhere, "planted", { mode: 0o600 });
  symlinkSync(elsewhere, path.join(dir, "link.json"));
  assert.equal(await readCacheFile(path.join(dir, "link.json")), undefined);
  assert.equal(readCacheFileSync(path.join(dir, "link.json")), undefined);
});

test("a file others may read or write is not trusted", async () => {
  writeFileSync(path.join(dir, "open.json"), "open", { mode: 0o600 });
  chmodSync(path.join(dir, "open.json"), 0o666);
  assert.equal(await readCacheFile(path.join(dir, "open.json")), undefined);
});

test("nothing is read from a directory others may write, where a file could be swapped", async () => {
  const shared = path.join(home, "kdiag", "shared");
  mkdirSync(shared, { mode: 0o700 });
  writeFileSync(path.join(shared, "mine.json"), "mine", { mode: 0o600 });
  chmodSync(shared, 0o777);
  assert.equal(await readCacheFile(path.join(shared, "mine.json")), undefined);
  assert.equal(readCacheFileSync(path.join(shared, "mine.json")), undefined);
});
