import assert from "node:assert/strict";
import { test } from "node:test";
import { KdiagError } from "../../pkg/errors.ts";
import { createProgress } from "../../pkg/output/progress.ts";
import { formatErrorLine, reportError } from "../../pkg/output/report-error.ts";

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { isTTY, chunks, write: (chunk: string) => chunks.push(chunk) };
}

test("progress is shown on a terminal and cleared before other output", () => {
  const stream = sink(true);
  const progress = createProgress({ stream, env: {} });
  progress.update("pulling");
  progress.clear();
  assert.deepEqual(stream.chunks, ["\r\x1b[K\x1b[2mkdiag: pulling\x1b[22m", "\r\x1b[K"]);
});

test("progress is silent with --quiet and when stderr is not a terminal; warnings are not", () => {
  for (const options of [{ stream: sink(true), quiet: true }, { stream: sink(false) }]) {
    const progress = createProgress({ ...options, env: {} });
    progress.update("pulling");
    progress.warn("careful");
    assert.deepEqual(options.stream.chunks, ["kdiag: warning: careful\n"].map((line) => (options.stream.isTTY ? `\x1b[33mkdiag: warning:\x1b[39m careful\n` : line)));
  }
});

test("NO_COLOR turns colours off even on a terminal", () => {
  const stream = sink(true);
  createProgress({ stream, env: { NO_COLOR: "1" } }).update("pulling");
  assert.deepEqual(stream.chunks, ["\r\x1b[Kkdiag: pulling"]);
});

test("an error is one line: kdiag: and the first line of its message", () => {
  assert.equal(formatErrorLine(new KdiagError("pod `x` not found\nstack")), "kdiag: pod `x` not found");
  const stream = sink(false);
  reportError(new Error("boom"), stream, {});
  assert.deepEqual(stream.chunks, ["kdiag: boom\n"]);
  const tty = sink(true);
  reportError(new Error("boom"), tty, {});
  assert.deepEqual(tty.chunks, ["\x1b[31m\x1b[1mkdiag:\x1b[22m\x1b[39m boom\n"]);
});
