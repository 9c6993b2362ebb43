// Runs the built bundle exactly as a user does: through an executable named `kdiag` and one named
// `kubectl-kdiag` (which is how kubectl runs a plugin), checking help and usage text verbatim.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
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
  for (const flag of ["--kubeconfig", "--context", "--cluster", "--user", "-n, --namespace", "-s, --server", "--token", "--as", "--as-group", "--as-uid", "--certificate-authority", "--client-certificate", "--client-key", "--insecure-skip-tls-verify", "--tls-server-name", "--request-timeout", "--pod", "-l, --selector", "-t, --target", "--image", "--pull-policy", "--timeout", "-q, --quiet"]) {
    assert.ok(stdout.includes(flag), `shell --help mentions ${flag}`);
  }
  assert.match(stdout, /Pull policy of the manager image: IfNotPresent, Always, Never\s+\[string\] \[default: IfNotPresent\]/);
  assert.match(stdout, /\n {2}kubectl kdiag shell -l app=web +an interactive shell/);
});

test("a usage error prints the reason and one line pointing at the command's help, as kubectl does, and exits 2", async () => {
  const { stdout, stderr, exitCode } = await run("kdiag", ["shell", "--pod", "web-1", "-l", "app=web"]);
  assert.equal(exitCode, 2);
  assert.equal(stdout, "");
  assert.equal(stderr, "kdiag: --pod and -l cannot be used together; choose one\nSee 'kdiag shell --help' for usage.");
  const plugin = await run("kubectl-kdiag", ["-n", "team", "redir", "--pod", "web-1", "70000"]);
  assert.equal(plugin.exitCode, 2);
  assert.equal(plugin.stderr, "kdiag: port `70000` in `70000` is out of range (1–65535)\nSee 'kubectl kdiag redir --help' for usage.");
});

test("yargs' own validation errors take the same shape", async () => {
  const unknown = await run("kdiag", ["shell", "--pod", "p", "--bogus"]);
  assert.equal(unknown.exitCode, 2);
  assert.equal(unknown.stderr, "kdiag: unknown flag: --bogus\nSee 'kdiag shell --help' for usage.");
  const command = await run("kubectl-kdiag", ["-n", "team", "shel", "--pod", "p"]);
  assert.equal(command.exitCode, 2);
  assert.equal(command.stderr, "kdiag: unknown command \"shel\"; did you mean shell?\nSee 'kubectl kdiag --help' for usage.");
  const noValue = await run("kdiag", ["shell", "--pod"]);
  assert.equal(noValue.exitCode, 2);
  assert.equal(noValue.stderr, "kdiag: flag needs an argument: --pod\nSee 'kdiag shell --help' for usage.");
  const noSelector = await run("kubectl-kdiag", ["ps", "-l"]);
  assert.equal(noSelector.exitCode, 2);
  assert.equal(noSelector.stderr, "kdiag: flag needs an argument: -l\nSee 'kubectl kdiag ps --help' for usage.");
  const none = await run("kubectl-kdiag", []);
  assert.equal(none.exitCode, 2);
  assert.equal(none.stderr, "kdiag: choose a command\nSee 'kubectl kdiag --help' for usage.");
});

test("the command's own validation decides on a flag's value: --pull-policy takes any case, and refuses with its own message", async () => {
  // No kubeconfig here, so an accepted value gets as far as loading one.
  const accepted = await run("kdiag", ["ps", "--pod", "p", "--pull-policy", "always"]);
  assert.equal(accepted.exitCode, 1, accepted.stderr);
  assert.match(accepted.stderr, /^kdiag: no kubeconfig: /);
  const refused = await run("kdiag", ["ps", "--pod", "p", "--pull-policy", "Sometimes"]);
  assert.equal(refused.exitCode, 2);
  assert.equal(refused.stderr, "kdiag: --pull-policy `Sometimes` is not a pull policy; use one of IfNotPresent, Always, Never\nSee 'kdiag ps --help' for usage.");
  const output = await run("kdiag", ["ps", "--pod", "p", "-o", "xml"]);
  assert.equal(output.stderr.split("\n")[0], "kdiag: -o `xml` is not an output format; use one of table, json, yaml");
});

test("kubectl's flags are accepted: --as-group without --as is a usage error before any request", async () => {
  const { stderr, exitCode } = await run("kdiag", ["ps", "--pod", "p", "--as-group", "devs"]);
  assert.equal(exitCode, 2);
  assert.equal(stderr, "kdiag: --as-group needs --as: name the user to impersonate, e.g. --as jane\nSee 'kdiag ps --help' for usage.");
  const timeout = await run("kdiag", ["ps", "--pod", "p", "--request-timeout", "5x"]);
  assert.equal(timeout.stderr.split("\n")[0], "kdiag: --request-timeout `5x` is not a duration (examples: 30s, 2m, 1m30s, 500ms)");
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

test("kdiag completion prints a bash script that asks kdiag __complete, the completion kubectl asks too", async () => {
  const script = await run("kdiag", ["completion"]);
  assert.match(script.stdout, /__complete "\$\{COMP_WORDS\[@\]:1:COMP_CWORD\}"/);
  assert.match(script.stdout, /^complete -F _kdiag_complete kdiag$/m);
  const words = await run("kdiag", ["__complete", "shell", "--pu"]);
  assert.equal(words.stdout, "--pull-policy\n:4");
});

test("in bash, the completion script offers each candidate quoted, never expanded: a hostile context name stays text", async () => {
  const script = (await run("kdiag", ["completion"])).stdout;
  const dir = mkdtempSync(path.join(tmpdir(), "kdiag-completion-"));
  try {
    // A stand-in kdiag that answers __complete as a kubeconfig someone else wrote could make it.
    writeFileSync(path.join(dir, "kdiag"), `#!/bin/sh\nprintf '%s\\n' 'prod-eu' '$(touch ${dir}/pwned)' '*' ':4'\n`, { mode: 0o755 });
    const session = `${script}\nCOMP_WORDS=(kdiag --context ''); COMP_CWORD=2; _kdiag_complete; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const { stdout } = await execa("bash", ["-c", session], { cwd: dir, env: { PATH: `${dir}:${process.env.PATH}` } });
    assert.deepEqual(stdout.split("\n"), ["prod-eu", "\\$\\(touch\\ " + dir.replaceAll("/", "/") + "/pwned\\)", "\\*"]);
    assert.equal(existsSync(path.join(dir, "pwned")), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("logs shows its usage as `logs [options] [-- command...]`", async () => {
  const { stdout, exitCode } = await run("kubectl-kdiag", ["logs", "--help"]);
  assert.equal(exitCode, 0);
  assert.match(stdout, /^kubectl kdiag logs \[options\] \[-- command\.\.\.\]\n\nFollow the logs of many pods at once, around a command\n/);
});

test("a command typed without `--` after repeated -l flags is a usage error, not more selectors", async () => {
  const { stderr, exitCode } = await run("kubectl-kdiag", ["logs", "-l", "app=a", "-l", "app=b", "curl", "http://localhost/"]);
  assert.equal(exitCode, 2);
  assert.equal(
    stderr,
    "kdiag: `curl` is not an option of logs; put the command after `--`, e.g. `logs -l app=web -- curl …`\nSee 'kubectl kdiag logs --help' for usage.",
  );
});
