import assert from "node:assert/strict";
import { test } from "node:test";
import { describeError, KdiagError } from "../../pkg/errors.ts";
import { escapeControl } from "../../pkg/output/escape.ts";
import { formatErrorLine } from "../../pkg/output/report-error.ts";
import { createProgress } from "../../pkg/output/progress.ts";

test("a pod's OSC 52 clipboard write is shown, not sent to the terminal", () => {
  assert.equal(escapeControl("\x1b]52;c;ZXZpbA==\x07"), "\\e]52;c;ZXZpbA==\\a");
});

test("carriage returns, newlines and tabs cannot forge or reshape lines", () => {
  assert.equal(escapeControl("sleep 1\r99   1     root  -  /bin/fake\nx\ty"), "sleep 1\\r99   1     root  -  /bin/fake\\nx\\ty");
});

test("other C0 and C1 controls and DEL show as \\xHH; bidi overrides and line separators as \\u{…}", () => {
  assert.equal(escapeControl("\x00\x08\x1f\x7f\x80\x9b[2J"), "\\x00\\x08\\x1f\\x7f\\x80\\x9b[2J");
  assert.equal(escapeControl("a\u202eb\u2066c\u2028d"), "a\\u{202e}b\\u{2066}c\\u{2028}d");
});

test("invisible format characters (bidi marks, zero-width ones, the BOM) show too: they hide or reorder text", () => {
  assert.equal(escapeControl("x\u200fy\u061cz\u200bw\u2060v\ufeffu"), "x\\u{200f}y\\u{61c}z\\u{200b}w\\u{2060}v\\u{feff}u");
});

test("printable text, Unicode included, is kept as it is", () => {
  const text = "nginx: worker process — café 日本 🙂 C:\\path \"quoted\" ~!@#$%^&*()";
  assert.equal(escapeControl(text), text);
});

test("an error relayed from the pod is one line with its controls escaped", () => {
  const error = new KdiagError("manager: open /proc/7/fd: \x1b]52;c;ZXZpbA==\x07\rkdiag: all good\nsecond line");
  assert.equal(describeError(error), "manager: open /proc/7/fd: \\e]52;c;ZXZpbA==\\a\\rkdiag: all good");
  assert.equal(formatErrorLine(error), "kdiag: manager: open /proc/7/fd: \\e]52;c;ZXZpbA==\\a\\rkdiag: all good");
  assert.equal(describeError("\x1b[2Jplain"), "\\e[2Jplain");
});

test("a warning carrying the pod's text is escaped too", () => {
  const chunks: string[] = [];
  const progress = createProgress({ stream: { isTTY: false, write: (chunk: string) => chunks.push(chunk) } });
  progress.warn("connection from \x1b]0;owned\x07 closed");
  assert.deepEqual(chunks, ["kdiag: warning: connection from \\e]0;owned\\a closed\n"]);
});
