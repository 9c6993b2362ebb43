import assert from "node:assert/strict";
import { test } from "node:test";
import { inKubectlWords } from "../../pkg/usage-words.ts";

const commands = ["shell", "logs", "redir", "ps", "reach", "rules", "doctor", "version", "completion"];
const say = (message: string, ...args: string[]) => inKubectlWords(message, args, commands);

test("a word that is no command is an unknown command, and only a close name is suggested", () => {
  assert.equal(say("Unknown argument: frobnicate", "frobnicate"), 'unknown command "frobnicate"');
  assert.equal(say("Unknown argument: shel", "shel"), 'unknown command "shel"; did you mean shell?');
  assert.equal(say("Unknown argument: re", "-n", "team", "re"), 'unknown command "re"; did you mean redir, ps or reach?');
  assert.equal(say("Unknown argument: rule", "rule", "--node", "n"), 'unknown command "rule"; did you mean rules?');
});

test("a flag the command does not have is an unknown flag, written as it was typed", () => {
  assert.equal(say("Unknown argument: bogus", "shell", "--pod", "p", "--bogus"), "unknown flag: --bogus");
  assert.equal(say("Unknown argument: bogus", "shell", "--bogus=1"), "unknown flag: --bogus");
  assert.equal(say("Unknown argument: z", "ps", "-z"), "unknown flag: -z");
});

test("a stray word after a command is an unexpected argument; words after -- are the command's own", () => {
  assert.equal(say("Unknown arguments: a, b", "ps", "a", "b"), "unexpected arguments: a, b");
  assert.equal(say("Unknown argument: bogus", "logs", "-l", "app=x", "--", "--bogus"), "unexpected argument: bogus");
});

test("a flag without its value, and any other message, as before", () => {
  assert.equal(say("Not enough arguments following: pod", "shell", "--pod"), "flag needs an argument: --pod");
  assert.equal(say("Not enough arguments following: l", "ps", "-l"), "flag needs an argument: -l");
  assert.equal(say("choose a command"), "choose a command");
});
