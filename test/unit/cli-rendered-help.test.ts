// `--help` answered from the text the build rendered, only when yargs would print that same text.
import assert from "node:assert/strict";
import { test } from "node:test";
import { findRenderedHelp, toHelpKey, type RenderedHelp } from "../../pkg/rendered-help.ts";

const rendered: RenderedHelp = {
  "kubectl kdiag": { "--help": "plugin main help\n", "shell --help": "plugin shell help\n" },
  kdiag: { "--help": "main help\n" },
};

test("--help and -h, alone or after one command, are the questions the build answered", () => {
  assert.equal(toHelpKey(["--help"]), "--help");
  assert.equal(toHelpKey(["-h"]), "--help");
  assert.equal(toHelpKey(["shell", "--help"]), "shell --help");
  assert.equal(toHelpKey(["shell", "-h"]), "shell --help");
});

test("help asked with other flags or words goes to yargs, which may have more to say", () => {
  assert.equal(toHelpKey([]), undefined);
  assert.equal(toHelpKey(["version"]), undefined);
  assert.equal(toHelpKey(["shell", "--pod", "web", "--help"]), undefined);
  assert.equal(toHelpKey(["--bogus", "--help"]), undefined);
  assert.equal(toHelpKey(["shell", "--", "--help"]), undefined);
  assert.equal(toHelpKey(["shell", "--help", "--pod"]), undefined);
});

test("the help a user gets depends on how the command was typed", () => {
  assert.equal(findRenderedHelp({ invocation: "kubectl kdiag", args: ["--help"], columns: undefined }, rendered), "plugin main help\n");
  assert.equal(findRenderedHelp({ invocation: "kdiag", args: ["-h"], columns: undefined }, rendered), "main help\n");
  assert.equal(findRenderedHelp({ invocation: "kubectl kdiag", args: ["shell", "--help"], columns: 180 }, rendered), "plugin shell help\n");
});

test("a terminal narrower than the rendered width gets help wrapped by yargs to fit", () => {
  assert.equal(findRenderedHelp({ invocation: "kdiag", args: ["--help"], columns: 99 }, rendered), undefined);
  assert.equal(findRenderedHelp({ invocation: "kdiag", args: ["--help"], columns: 100 }, rendered), "main help\n");
});

test("a command the build rendered no help for, or a build without rendered help, goes to yargs", () => {
  assert.equal(findRenderedHelp({ invocation: "kdiag", args: ["shell", "--help"], columns: undefined }, rendered), undefined);
  assert.equal(findRenderedHelp({ invocation: "kdiag", args: ["nosuch", "--help"], columns: undefined }, rendered), undefined);
  assert.equal(findRenderedHelp({ invocation: "kdiag", args: ["--help"], columns: undefined }, undefined), undefined);
});
