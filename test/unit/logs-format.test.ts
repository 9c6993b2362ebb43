import assert from "node:assert/strict";
import { test } from "node:test";
import { chooseColour, formatLine } from "../../pkg/commands/logs/format.ts";

const entry = { pod: "server-a", container: "http", line: "GET /", time: "2026-11-22T20:53:56.000000001Z" };

test("each line is prefixed with pod/container", () => {
  assert.equal(formatLine(entry, { output: "text", timestamps: false, colour: false }), "server-a/http GET /");
});

test("--timestamps puts the kubelet's time after the prefix", () => {
  assert.equal(
    formatLine(entry, { output: "text", timestamps: true, colour: false }),
    "server-a/http 2026-11-22T20:53:56.000000001Z GET /",
  );
});

test("on a terminal the prefix has a colour that stays the same for the source", () => {
  const colour = chooseColour("server-a/http");
  assert.equal(formatLine(entry, { output: "text", timestamps: false, colour: true }), `\x1b[${colour}mserver-a/http\x1b[0m GET /`);
  assert.equal(chooseColour("server-a/http"), colour);
});

test("-o json writes one object per line", () => {
  assert.deepEqual(JSON.parse(formatLine(entry, { output: "json", timestamps: false, colour: true })), entry);
});
