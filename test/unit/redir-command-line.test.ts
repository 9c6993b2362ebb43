// The yargs definitions of `redir` and `logs` as a user types them: what reaches toConfig.
import assert from "node:assert/strict";
import { test } from "node:test";
import yargs from "yargs";
import type { CommandModule } from "yargs";
import { logsCommand } from "../../cmd/commands/logs.ts";
import { redirCommand } from "../../cmd/commands/redir.ts";

/** Parses `args` with `command` as the CLI does and returns the argv its handler would get. */
async function parse<T>(command: CommandModule<object, T>, args: string[]): Promise<Record<string, unknown>> {
  let seen: Record<string, unknown> = {};
  await yargs(args)
    .parserConfiguration({ "populate--": true })
    .command({ ...command, handler: (argv) => void (seen = { ...argv }) })
    .strict()
    .fail((message, error) => {
      throw error ?? new Error(message);
    })
    .parseAsync();
  return seen;
}

test("redir takes every port pair given, wherever the options are", async () => {
  const argv = await parse(redirCommand, ["redir", "8080:18777", "--pod", "web-1", "90", "--outgoing"]);
  assert.deepEqual(argv.ports, ["8080:18777", "90"]);
  assert.equal(argv.pod, "web-1");
  assert.equal(argv.outgoing, true);
});

test("logs takes repeated -l and --pod, and the command after --", async () => {
  const argv = await parse(logsCommand, ["logs", "-l", "app=a", "-l", "app=b:proxy", "--pod", "db-0", "-d", "1s", "--", "curl", "-s", "http://x"]);
  assert.deepEqual(argv.selector, ["app=a", "app=b:proxy"]);
  assert.deepEqual(argv.pod, ["db-0"]);
  assert.equal(argv.drain, "1s");
  assert.deepEqual(argv["--"], ["curl", "-s", "http://x"]);
});
