// Version answers from facts the manager gathered once: calling it in a loop (anyone on the pod's
// loopback can) must not make the manager run a process per call.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { VersionResponse } from "../../api/gen/kdiag.ts";
import { createPod, startManager, type Manager, type Pod } from "./fixtures/pod.ts";
import { connectManager, type ManagerConnection } from "./fixtures/redirect-client.ts";

const saveTools = ["iptables-legacy-save", "ip6tables-legacy-save", "iptables-nft-save", "ip6tables-nft-save"];

let pod: Pod;
let manager: Manager;
let connection: ManagerConnection;
let shims: string;

before(async () => {
  // The real tools, each behind a script on the manager's PATH that notes every run in a log.
  shims = mkdtempSync(join(tmpdir(), "kdiag-save-shims-"));
  for (const tool of saveTools) {
    const real = execFileSync("sh", ["-c", `command -v ${tool}`], { encoding: "utf8" }).trim();
    writeFileSync(join(shims, tool), `#!/bin/sh\necho ${tool} >>${shims}/runs.log\nexec ${real} "$@"\n`);
    chmodSync(join(shims, tool), 0o755);
  }
  writeFileSync(join(shims, "runs.log"), "");
  pod = await createPod({ name: "version" });
  manager = await startManager({ pod, env: { PATH: `${shims}:${process.env.PATH}` } });
  connection = await connectManager({ pod, manager });
});

after(async () => {
  connection?.close();
  await manager?.stop();
  await pod?.cleanup();
  rmSync(shims, { recursive: true, force: true });
});

function callVersion(): Promise<VersionResponse> {
  return new Promise((resolve, reject) => connection.client.version({}, (error, value) => (error ? reject(error) : resolve(value))));
}

test("calling Version 50 times in a row and 50 at once runs each *-save tool once in the manager's life, not once per call", async () => {
  const answers: VersionResponse[] = [];
  for (let i = 0; i < 50; i++) answers.push(await callVersion());
  await Promise.all(Array.from({ length: 50 }, () => callVersion()));
  assert.equal(new Set(answers.map((answer) => JSON.stringify(answer))).size, 1);
  const runs = readFileSync(join(shims, "runs.log"), "utf8").split("\n").filter(Boolean).sort();
  assert.deepEqual(runs, [...saveTools].sort());
});
