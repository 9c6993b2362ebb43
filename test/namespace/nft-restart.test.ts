// A manager whose nft can no longer be started (here: a PATH entry in front of the real nft that
// refuses once told to) does not stay up unable to redirect: it says so once and exits 1, so
// that kdiag injects a fresh manager.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { createPod, findChildren, startManager, type Manager, type Pod } from "./fixtures/pod.ts";

let pod: Pod;
let manager: Manager;
let shims: string;

before(async () => {
  shims = mkdtempSync(join(tmpdir(), "kdiag-nft-shim-"));
  const real = execFileSync("sh", ["-c", "command -v nft"], { encoding: "utf8" }).trim();
  writeFileSync(join(shims, "nft"), `#!/bin/sh\n[ -e ${shims}/broken ] && exit 1\nexec ${real} "$@"\n`);
  chmodSync(join(shims, "nft"), 0o755);
  pod = await createPod({ name: "nftgone" });
  manager = await startManager({ pod, env: { PATH: `${shims}:${process.env.PATH}` } });
});

after(async () => {
  await manager?.stop();
  await pod?.cleanup();
  rmSync(shims, { recursive: true, force: true });
});

test("when nft dies and cannot be started again three times in a row, the manager says so in one line and exits 1", { timeout: 15_000 }, async () => {
  const nft = findChildren(manager.pid).find((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "nft");
  assert.ok(nft, "the manager has no nft child");
  writeFileSync(join(shims, "broken"), "");
  process.kill(nft, "SIGKILL");
  assert.equal(await manager.exited, 1);
  const logs = manager.output().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as { level: string; msg: string; fields: Record<string, unknown> });
  const errors = logs.filter((entry) => entry.level === "error");
  assert.deepEqual(
    errors.map((entry) => entry.msg),
    ["kdiag's nft process is gone, and every redirect rule with it; starting a fresh one", "could not restart nft 3 times in a row; exiting"],
  );
  assert.equal(errors[1]?.fields.error, "nft exited (code 1)");
  assert.doesNotMatch(await pod.exec(["nft", "list", "tables"]), /kdiag/);
});
