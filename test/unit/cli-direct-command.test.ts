// A plain `shell` or `redir` line runs without yargs (cmd/direct-command.ts). Each line below is
// parsed both ways — by that parser and by the real command tree yargs builds — and the command's
// own validator must make the same configuration (or refuse with the same words) from either.
// Lines that parser does not read as yargs does must go to yargs.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CommandModule } from "yargs";
import { createCommandTree } from "../../cmd/command-tree.ts";
import { redirCommand } from "../../cmd/commands/redir.ts";
import { shellCommand } from "../../cmd/commands/shell.ts";
import { parseDirectly } from "../../cmd/direct-command.ts";
import { toRedirConfig } from "../../pkg/commands/redir/config.ts";
import { toShellConfig } from "../../pkg/commands/shell/config.ts";

/** What yargs hands the command's handler for `args`. */
async function parseWithYargs(args: string[]): Promise<Record<string, unknown>> {
  let handed: Record<string, unknown> | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module has its own argv type
  const capture = (command: CommandModule<object, any>) => ({ ...command, handler: (argv: Record<string, unknown>) => void (handed = argv) });
  const cli = createCommandTree(args, {
    invocation: "kdiag",
    commands: [capture(shellCommand), capture(redirCommand)],
    onUsageError: (message) => {
      throw new Error(`yargs refused ${args.join(" ")}: ${message}`);
    },
  });
  await cli.parseAsync();
  assert.ok(handed, `yargs ran no handler for ${args.join(" ")}`);
  return handed;
}

/** The configuration the command's validator makes, or the words it refuses with. */
function configure(args: string[], argv: Record<string, unknown>): unknown {
  try {
    return args[0] === "shell" ? toShellConfig(argv) : toRedirConfig(argv);
  } catch (error) {
    return { refused: (error as Error).message };
  }
}

const plainLines = [
  ["shell", "--pod", "warm"],
  ["shell", "-n", "team-a", "--pod", "warm", "--", "-c", "true"],
  ["shell", "-l", "app=web", "-t", "server", "--wait", "--quiet"],
  ["shell", "--pod=warm", "--namespace=team-a", "--privileged-programs", "--profile", "netadmin", "--", "-c", "ls /; cat /etc/hosts", "x", "-v"],
  ["shell", "--pod", "w", "--as", "me", "--as-group", "devs", "--as-group", "ops", "--as-uid", "1001", "--request-timeout", "5s"],
  ["shell", "--pod", "w", "--kubeconfig", "/k", "--context", "c", "--cluster", "cl", "--user", "u", "-s", "https://10.0.0.1:6443", "--tls-server-name", "api", "--token", "t"],
  ["shell", "--pod", "w", "--client-certificate", "/c.crt", "--client-key", "/c.key", "--certificate-authority", "/ca.crt"],
  ["shell", "--pod", "w", "--certificate-authority", "/ca.crt", "--insecure-skip-tls-verify"],
  ["shell", "--pod", "x", "-l", "y"],
  ["shell", "--pod", "w", "--image", "registry.local/kdiag:1", "--pull-policy", "always", "--timeout", "30s", "-q"],
  ["shell", "--pod", "w", "--profile", "baseline", "--privileged-programs"],
  ["shell", "--pod", "w", "--timeout", "0s"],
  ["shell", "--pod", "w", "--"],
  ["redir", "--pod", "warm", "8080:18099"],
  ["redir", "-l", "app=server", "8080", "9090:19090", "--outgoing"],
  ["redir", "8080", "--pod", "w", "--redirect-node-traffic", "-q", "-n", "team-a"],
  ["redir", "--pod", "w"],
  ["redir", "--pod", "w", "--outgoing"],
  ["redir", "--pod", "w", "70000"],
  ["redir", "--pod", "w", "--profile", "baseline", "80"],
];

for (const args of plainLines) {
  test(`\`${args.join(" ")}\` runs without yargs, configured as yargs would`, async () => {
    const direct = parseDirectly(args);
    assert.ok(direct, "expected the direct parser to take this line");
    assert.deepEqual(configure(args, direct.argv), configure(args, await parseWithYargs(args)));
  });
}

const yargsLines = [
  ["shell", "--pod"],
  ["shell", "--pod="],
  ["shell", "--pod", "-w"],
  ["shell", "--pod", "a", "--pod", "b"],
  ["shell", "--pod", "a", "-n", "x", "--namespace", "y"],
  ["shell", "--help"],
  ["shell", "-h"],
  ["shell", "--pod", "w", "--wait", "false"],
  ["shell", "--pod", "w", "--wait=true"],
  ["shell", "--pod", "w", "--no-wait"],
  ["shell", "--pod", "w", "--", "-c", "echo", "1e3"],
  ["shell", "-qn", "team-a", "--pod", "w"],
  ["shell", "-n=team-a", "--pod", "w"],
  ["shell", "--n", "team-a", "--pod", "w"],
  ["shell", "warm"],
  ["shell", "--pullPolicy", "Always", "--pod", "w"],
  ["shell", "--pod", "w", "--outgoing"],
  ["redir", "--pod", "w", "--", "8080"],
  ["redir", "--pod", "w", "--wait"],
  ["ps", "--pod", "w"],
  ["completion", "bash"],
  [],
];

for (const args of yargsLines) {
  test(`\`${args.join(" ")}\` is left to yargs`, () => {
    assert.equal(parseDirectly(args), undefined);
  });
}
