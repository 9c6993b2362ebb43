import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, test } from "node:test";
import { promisify } from "node:util";
import { NftSession } from "../../manager/nft-session.ts";

const run = promisify(execFile);
const ns = `kdiag-nftsession-${process.pid}`;
const nft = ["ip", "netns", "exec", ns, "nft"];

before(async () => {
  await run("ip", ["netns", "add", ns]);
});

after(async () => {
  await run("ip", ["netns", "del", ns]).catch(() => {});
});

async function listTables(): Promise<string> {
  return (await run("ip", ["netns", "exec", ns, "nft", "list", "tables"])).stdout;
}

test("a command nft refuses comes back with nft's own message, and the session carries on", async () => {
  const session = await NftSession.start({ nft });
  try {
    await session.run("add table inet kdiag_session_test");
    await assert.rejects(session.run("add rule inet kdiag_session_test nochain tcp dport 80 accept"), {
      message: "Could not process rule: No such file or directory",
    });
    await assert.rejects(session.run("add chain inet kdiag_session_test c { type nat hook output priority dstnat; }"), {
      message: "invalid priority expression value in this context.",
    });
    await session.run("add chain inet kdiag_session_test c { type nat hook output priority -110; }");
    assert.match(await listTables(), /table inet kdiag_session_test/);
    await session.run("delete table inet kdiag_session_test");
  } finally {
    await session.close();
  }
});

test("commands written back to back each get their own answer", async () => {
  const session = await NftSession.start({ nft });
  try {
    const results = await Promise.allSettled([
      session.run("add table inet kdiag_a"),
      session.run("delete table inet kdiag_missing"),
      session.run("add table inet kdiag_b"),
    ]);
    assert.deepEqual(results.map((result) => result.status), ["fulfilled", "rejected", "fulfilled"]);
  } finally {
    await session.close();
  }
  await run("ip", ["netns", "exec", ns, "nft", "flush", "ruleset"]);
});

test("an owner-flagged table vanishes when the nft holding it is killed, and others cannot delete it meanwhile", async () => {
  const session = await NftSession.start({ nft });
  await session.run("add table inet kdiag_owned { flags owner; }");
  await assert.rejects(run("ip", ["netns", "exec", ns, "nft", "delete", "table", "inet", "kdiag_owned"]), /Operation not permitted/);
  assert.match(await listTables(), /kdiag_owned/);
  process.kill(session.pid, "SIGKILL");
  await assert.rejects(session.run("list tables"), /nft exited \(SIGKILL\)/);
  assert.doesNotMatch(await listTables(), /kdiag_owned/);
});
