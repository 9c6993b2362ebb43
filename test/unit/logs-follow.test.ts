// followContainer's promise: a follow the server ends early is re-opened from the last second,
// and no line is printed twice or lost.
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import { test } from "node:test";
import { followContainer, type ContainerState } from "../../pkg/commands/logs/follow.ts";
import type { LogRequest } from "../../pkg/commands/logs/open-log.ts";
import { parseTimestamp } from "../../pkg/commands/logs/timestamp.ts";

const stamp = (second: number, nanos: number) => `2026-11-22T20:00:0${second}.${String(nanos).padStart(9, "0")}Z`;

test("a follow that the server ends early is re-opened from the last second, printing each line once", async () => {
  // What the API server holds; each stream answers from sinceTime (whole seconds) and may stop short.
  const log = [
    `${stamp(1, 100)} one`,
    `${stamp(2, 200)} two`,
    `${stamp(2, 200)} two again, same stamp`,
    `${stamp(2, 300)} three`,
    `${stamp(3, 0)} four`,
  ];
  const cuts = [2, 1, 5];
  const requests: LogRequest[] = [];
  const printed: string[] = [];
  const states: ContainerState[] = ["running", "running", "over"];
  const follower = followContainer({
    pod: "web-1",
    container: "app",
    fromNs: parseTimestamp(stamp(1, 0)) ?? 0n,
    openLog: async (request) => {
      requests.push(request);
      const since = parseTimestamp(request.sinceTime) ?? 0n;
      const lines = log.filter((line) => (parseTimestamp(line.split(" ")[0] ?? "") ?? 0n) >= since);
      const cut = cuts.shift() ?? lines.length;
      return { body: Readable.from(lines.slice(0, cut).map((line) => `${line}\n`)), close() {} };
    },
    checkState: async () => states.shift() ?? "over",
    onLine: (line) => printed.push(line.line),
    onWarning: (message) => assert.fail(message),
  });
  await follower.done;
  assert.deepEqual(printed, ["one", "two", "two again, same stamp", "three", "four"]);
  assert.deepEqual(
    requests.map((request) => request.sinceTime),
    ["2026-11-22T20:00:01Z", "2026-11-22T20:00:02Z", "2026-11-22T20:00:02Z"],
  );
});

test("a container that is not running yet is waited for without a warning", async () => {
  const states: ContainerState[] = ["waiting", "over"];
  const warnings: string[] = [];
  let attempts = 0;
  const follower = followContainer({
    pod: "web-1",
    container: "app",
    fromNs: 0n,
    openLog: async () => {
      attempts += 1;
      if (attempts === 1) throw new Error('container "app" in pod "web-1" is waiting to start: ContainerCreating');
      return { body: Readable.from([`${stamp(1, 0)} up\n`]), close() {} };
    },
    checkState: async () => states.shift() ?? "over",
    onLine: () => {},
    onWarning: (message) => warnings.push(message),
  });
  await follower.done;
  assert.equal(attempts, 2);
  assert.deepEqual(warnings, []);
});
