import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../pkg/errors.ts";
import { parsePortPair, parsePortPairs } from "../../pkg/commands/redir/ports.ts";

test("a single port redirects the pod's port to the same local port", () => {
  assert.deepEqual(parsePortPair("80"), { podPort: 80, localPort: 80 });
});

test("POD:LOCAL sends the pod's port to a different local port", () => {
  assert.deepEqual(parsePortPair("80:8080"), { podPort: 80, localPort: 8080 });
  assert.deepEqual(parsePortPair("65535:1"), { podPort: 65535, localPort: 1 });
});

test("ports outside 1–65535 are refused, naming the port and the pair", () => {
  assert.throws(() => parsePortPair("0"), new UsageError("port `0` in `0` is out of range (1–65535)"));
  assert.throws(() => parsePortPair("70000"), new UsageError("port `70000` in `70000` is out of range (1–65535)"));
  assert.throws(() => parsePortPair("70000:8080"), new UsageError("port `70000` in `70000:8080` is out of range (1–65535)"));
  assert.throws(() => parsePortPair("80:0"), new UsageError("port `0` in `80:0` is out of range (1–65535)"));
});

test("a port that is not a number is refused with the expected form", () => {
  assert.throws(
    () => parsePortPair("abc"),
    new UsageError("port `abc` in `abc` is not a number; use PODPORT[:LOCALPORT], e.g. `80` or `80:8080`"),
  );
  assert.throws(
    () => parsePortPair("80:"),
    new UsageError("port `` in `80:` is not a number; use PODPORT[:LOCALPORT], e.g. `80` or `80:8080`"),
  );
  assert.throws(
    () => parsePortPair("-1"),
    new UsageError("port `-1` in `-1` is not a number; use PODPORT[:LOCALPORT], e.g. `80` or `80:8080`"),
  );
});

test("three parts are refused with the expected form", () => {
  assert.throws(
    () => parsePortPair("1:2:3"),
    new UsageError("port pair `1:2:3` has 3 parts; use PODPORT[:LOCALPORT], e.g. `80` or `80:8080`"),
  );
});

test("the same pod port given twice is refused", () => {
  assert.deepEqual(parsePortPairs(["80:8080", "443"]), [
    { podPort: 80, localPort: 8080 },
    { podPort: 443, localPort: 443 },
  ]);
  assert.throws(
    () => parsePortPairs(["80:8080", "80:9090"]),
    new UsageError("pod port `80` is given twice (in `80:9090`); redirect each port once"),
  );
});
