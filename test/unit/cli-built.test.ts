// Runs the built bundle exactly as a user does: through an executable named `kdiag` and one named
// `kubectl-kdiag` (which is how kubectl runs a plugin), checking help and usage text verbatim.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import pty from "node-pty";

const bundle = path.resolve("dist/kubectl-kdiag.js");
const dir = mkdtempSync(path.join(tmpdir(), "kdiag-bin-"));
after(() => rmSync(dir, { recursive: true, force: true }));
symlinkSync(bundle, path.join(dir, "kdiag"));
symlinkSync(bundle, path.join(dir, "kubectl-kdiag"));

function run(name: "kdiag" | "kubectl-kdiag", args: string[]) {
  assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build first`);
  // An empty HOME and no KUBECONFIG: nothing here may reach a real cluster.
  return execa(path.join(dir, name), args, { reject: false, stdin: "ignore", env: { HOME: dir, KUBECONFIG: "", NO_COLOR: "" }, extendEnv: true });
}

test("help names the command as the user typed it: kubectl kdiag as a plugin, kdiag otherwise", async () => {
  const plugin = await run("kubectl-kdiag", ["--help"]);
  assert.equal(plugin.exitCode, 0);
  assert.match(plugin.stdout, /^kubectl kdiag <command> \[options\]\n/);
  assert.match(plugin.stdout, /\n {2}kubectl kdiag shell \[options\] \[-- ash-args\.\.\.\] {2}Open a shell/);
  assert.doesNotMatch(plugin.stdout, /kdiag manage/, "manage is hidden from the main help");
  const standalone = await run("kdiag", ["--help"]);
  assert.match(standalone.stdout, /^kdiag <command> \[options\]\n/);
  assert.equal(standalone.stderr, "");
});

test("help in a terminal narrower than 100 columns is wrapped to the terminal's width", async () => {
  const term = pty.spawn(path.join(dir, "kdiag"), ["shell", "--help"], { cols: 72, rows: 40, env: { ...process.env, HOME: dir, KUBECONFIG: "" } });
  let screen = "";
  term.onData((data) => (screen += data));
  const exitCode = await new Promise<number>((resolve) => term.onExit(({ exitCode: code }) => resolve(code)));
  assert.equal(exitCode, 0);
  const lines = screen.split(/\r?\n/);
  assert.match(lines[0] ?? "", /^kdiag shell \[options\] \[-- ash-args\.\.\.\]/);
  const widest = Math.max(...lines.map((line) => line.length));
  assert.ok(widest <= 72 && widest > 60, `the widest line has ${widest} characters`);
});

test("shell --help lists its flags, defaults and examples", async () => {
  const { stdout, exitCode } = await run("kubectl-kdiag", ["shell", "--help"]);
  assert.equal(exitCode, 0);
  assert.match(stdout, /^kubectl kdiag shell \[options\] \[-- ash-args\.\.\.\]\n\nOpen a shell in a container, even one whose image has no shell\n/);
  for (const flag of ["--kubeconfig", "--context", "-n, --namespace", "--request-timeout", "--as", "--pod", "-l, --selector", "-t, --target", "--image", "--pull-policy", "--timeout", "-q, --quiet"]) {
    assert.ok(stdout.includes(flag), `shell --help mentions ${flag}`);
  }
  assert.match(stdout, /\[choices: "IfNotPresent", "Always", "Never"\] \[default: IfNotPresent\]/);
  assert.match(stdout, /\n {2}kubectl kdiag shell -l app=web +an interactive shell/);
});

test("a usage error prints the command's usage, then one kdiag: line, and exits 2", async () => {
  const { stdout, stderr, exitCode } = await run("kdiag", ["shell", "--pod", "web-1", "-l", "app=web"]);
  assert.equal(exitCode, 2);
  assert.equal(stdout, "");
  assert.match(stderr, /^kdiag shell \[options\] \[-- ash-args\.\.\.\]\n/);
  assert.ok(stderr.endsWith("\n\nkdiag: --pod and -l cannot be used together; choose one"), stderr.slice(-200));
  assert.equal(stderr.split("\n").filter((line) => line.startsWith("kdiag:")).length, 1);
});

test("yargs' own validation errors take the same shape", async () => {
  const unknown = await run("kdiag", ["shell", "--pod", "p", "--bogus"]);
  assert.equal(unknown.exitCode, 2);
  assert.ok(unknown.stderr.endsWith("\n\nkdiag: Unknown argument: bogus"));
  const choice = await run("kdiag", ["ps", "--pod", "p", "--pull-policy", "Sometimes"]);
  assert.equal(choice.exitCode, 2);
  assert.ok(
    choice.stderr.endsWith('\n\nkdiag: Invalid values: Argument: pull-policy, Given: "Sometimes", Choices: "IfNotPresent", "Always", "Never"'),
    choice.stderr.slice(-200),
  );
  const none = await run("kdiag", []);
  assert.equal(none.exitCode, 2);
  assert.ok(none.stderr.endsWith("\n\nkdiag: choose a command"));
});

test("a runtime error is exactly one line, no usage, exit 1", async () => {
  const { stdout, stderr, exitCode } = await run("kdiag", ["shell", "--pod", "web-1", "--kubeconfig", "/nonexistent/kubeconfig"]);
  assert.equal(exitCode, 1);
  assert.equal(stdout, "");
  assert.equal(stderr, "kdiag: kubeconfig `/nonexistent/kubeconfig` (from --kubeconfig) does not exist; pass the path of a kubeconfig file");
});

test("version prints the CLI version and the default manager image", async () => {
  const { stdout, exitCode } = await run("kdiag", ["version"]);
  assert.equal(exitCode, 0);
  assert.match(stdout, /^kdiag \d+\.\d+\.\d+\S*\nmanager image \S+:v\d+\.\d+\.\d+\S*$/);
});

test("completion prints a script for the executable; as a plugin, for kubectl-kdiag", async () => {
  const standalone = await run("kdiag", ["completion"]);
  assert.match(standalone.stdout, /kdiag --get-yargs-completions/);
  const plugin = await run("kubectl-kdiag", ["completion"]);
  assert.match(plugin.stdout, /_kubectl-kdiag_yargs_completions/);
  assert.match(plugin.stdout, /kubectl-kdiag --get-yargs-completions/);
  const words = await run("kdiag", ["--get-yargs-completions", "kdiag", "shell", "--pu"]);
  assert.ok(words.stdout.split("\n").includes("--pull-policy"));
});

test("logs shows its usage as `logs [options] [-- command...]`", async () => {
  const { stdout, exitCode } = await run("kubectl-kdiag", ["logs", "--help"]);
  assert.equal(exitCode, 0);
  assert.match(stdout, /^kubectl kdiag logs \[options\] \[-- command\.\.\.\]\n\nFollow the logs of many pods at once, around a command\n/);
});

test("a command typed without `--` after repeated -l flags is a usage error, not more selectors", async () => {
  const { stderr, exitCode } = await run("kubectl-kdiag", ["logs", "-l", "app=a", "-l", "app=b", "curl", "http://localhost/"]);
  assert.equal(exitCode, 2);
  assert.equal(stderr.split("\n").at(-1), "kdiag: `curl` is not an option of logs; put the command after `--`, e.g. `logs -l app=web -- curl …`");
});
