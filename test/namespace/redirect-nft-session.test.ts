import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
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

test("3,000 commands queued at once each get nft's own answer, none a timeout, though together they take longer than one command may", async () => {
  // 1 s per command: far more than one takes, far less than 3,000 take together.
  const session = await NftSession.start({ nft, timeoutMs: 1_000 });
  const started = Date.now();
  try {
    const results = await Promise.allSettled(
      Array.from({ length: 3_000 }, (_, i) =>
        // Every third command is one nft refuses: its own error must come back, not a timeout.
        // (Adding an existing table again is no error; 3,000 tables would slow nft down.)
        i % 3 === 2 ? session.run(`delete table inet kdiag_missing_${i}`) : session.run(`add table inet kdiag_many_${i % 2}`),
      ),
    );
    const reasons = results.flatMap((result) => (result.status === "rejected" ? [(result.reason as Error).message] : []));
    assert.equal(results.filter((result) => result.status === "fulfilled").length, 2_000);
    assert.equal(reasons.length, 1_000);
    // nft's own words ("… No such file or directory; did you mean table ‘kdiag_many_0’ …").
    for (const reason of new Set(reasons)) assert.match(reason, /No such file or directory/);
    assert.ok(Date.now() - started > 1_000, "the test proves nothing if 3,000 commands fit in one command's timeout");
  } finally {
    await session.close();
    await run("ip", ["netns", "exec", ns, "nft", "flush", "ruleset"]);
  }
});

test("a command nft does not answer (nft stopped) fails after the timeout counted from its write, and nft is killed", async () => {
  const session = await NftSession.start({ nft, timeoutMs: 500 });
  try {
    // Idle time before the write does not count against the command.
    await session.run("list tables");
    await new Promise((resolve) => setTimeout(resolve, 700));
    process.kill(session.pid, "SIGSTOP");
    const started = Date.now();
    await assert.rejects(session.run("add table inet kdiag_stopped"), { message: "nft did not answer within 500 ms" });
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 490 && elapsed < 1_500, `timed out after ${elapsed} ms`);
    assert.equal((await session.exited).message, "nft did not answer within 500 ms");
    assert.equal(existsSync(`/proc/${session.pid}`), false);
  } finally {
    await session.close();
  }
});
