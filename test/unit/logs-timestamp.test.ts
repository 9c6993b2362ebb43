import assert from "node:assert/strict";
import { test } from "node:test";
import { LineCursor, parseTimestamp, splitTimedLine, toSinceTime } from "../../pkg/commands/logs/timestamp.ts";

test("kubelet timestamps are read to the nanosecond, whatever their offset", () => {
  assert.equal(parseTimestamp("2026-11-22T20:53:56.123456789Z"), 1795380836123456789n);
  assert.equal(parseTimestamp("2026-11-22T21:53:56.123456789+01:00"), 1795380836123456789n);
  assert.equal(parseTimestamp("2026-11-22T20:53:56Z"), 1795380836000000000n);
  assert.equal(parseTimestamp("2026-11-22T20:53:56.5Z"), 1795380836500000000n);
  assert.equal(parseTimestamp("yesterday"), undefined);
});

test("a timestamped line splits into its stamp and its text", () => {
  assert.deepEqual(splitTimedLine("2026-11-22T20:53:56.000000001Z GET / from 10.0.0.1"), {
    ns: 1795380836000000001n,
    time: "2026-11-22T20:53:56.000000001Z",
    line: "GET / from 10.0.0.1",
  });
  assert.deepEqual(splitTimedLine("2026-11-22T20:53:56.000000001Z "), { ns: 1795380836000000001n, time: "2026-11-22T20:53:56.000000001Z", line: "" });
});

test("sinceTime is whole seconds rounded down, as the API truncates it", () => {
  assert.equal(toSinceTime(1795380836999999999n), "2026-11-22T20:53:56Z");
});

const at = (ns: bigint, line: string) => ({ ns, time: "", line });

test("lines before the start are not printed", () => {
  const cursor = new LineCursor(1000n);
  assert.equal(cursor.accept(at(999n, "old")), false);
  assert.equal(cursor.accept(at(1000n, "at start")), true);
  assert.equal(cursor.accept(at(1001n, "new")), true);
});

test("a re-opened stream prints neither the lines already seen nor loses those after them", () => {
  const cursor = new LineCursor(0n);
  for (const line of [at(10n, "a"), at(20n, "b"), at(20n, "c")]) assert.equal(cursor.accept(line), true);
  // The stream ends; the next one starts at the last whole second and repeats what we saw.
  assert.equal(cursor.resumeNs, 20n);
  cursor.restart();
  const replay = [at(10n, "a"), at(20n, "b"), at(20n, "c"), at(20n, "d"), at(30n, "e")];
  assert.deepEqual(
    replay.filter((line) => cursor.accept(line)).map((line) => line.line),
    ["d", "e"],
  );
});
