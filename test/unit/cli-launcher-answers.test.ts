// `--help`, a command's `--help` and `version` are printed by the launcher npm installs
// (dist/kubectl-kdiag, cmd/launcher.sh) from the texts the build rendered, without starting Node —
// byte for byte what Node would print, and only where Node would print just that.
import assert from "node:assert/strict";
import { execSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { execa } from "execa";
import pty from "node-pty";

const launcher = path.resolve("dist/kubectl-kdiag");
const bundle = path.resolve("dist/kubectl-kdiag.js");
const dir = mkdtempSync(path.join(tmpdir(), "kdiag-answers-"));
after(() => rmSync(dir, { recursive: true, force: true }));
// A PATH with the tools the launcher uses before its answers, and no Node: an answer that needed Node fails.
const tools = path.join(dir, "tools");
mkdirSync(tools);
for (const tool of ["readlink", "cat", "stty"]) symlinkSync(execSync(`command -v ${tool}`, { encoding: "utf8" }).trim(), path.join(tools, tool));
// The executables as npm installs them (the launcher), and the bundle under the same names (Node's answers).
const installed = path.join(dir, "installed");
const nodeOnly = path.join(dir, "node");
for (const [where, target] of [[installed, launcher], [nodeOnly, bundle]] as const) {
  mkdirSync(where);
  for (const name of ["kdiag", "kubectl-kdiag"]) symlinkSync(target, path.join(where, name));
}

function run(name: "kdiag" | "kubectl-kdiag", args: string[], options: { withoutNode?: boolean; node?: boolean } = {}) {
  assert.ok(existsSync(launcher), `${launcher} is missing: run npm run build first`);
  const env = { HOME: dir, KUBECONFIG: "", ...(options.withoutNode ? { PATH: tools } : {}) };
  return execa(path.join(options.node ? nodeOnly : installed, name), args, { reject: false, stdin: "ignore", env, extendEnv: !options.withoutNode });
}

const answered = [["--help"], ["-h"], ["version"], ["shell", "--help"], ["redir", "-h"], ["rules", "--help"]];

test("help, a command's help and version come without Node, exactly as Node prints them", async () => {
  for (const name of ["kdiag", "kubectl-kdiag"] as const) {
    for (const args of answered) {
      const [fromLauncher, fromNode] = await Promise.all([run(name, args, { withoutNode: true }), run(name, args, { node: true })]);
      assert.equal(fromLauncher.exitCode, 0, `${name} ${args.join(" ")}: ${fromLauncher.stderr}`);
      assert.equal(fromLauncher.stderr, "");
      assert.equal(fromLauncher.stdout, fromNode.stdout, `${name} ${args.join(" ")}`);
    }
  }
});

test("anything else is Node's to answer: without Node it cannot run", async () => {
  for (const args of [["version", "-o", "json"], ["bogus", "--help"], ["shell", "--pod", "x", "--help"], ["ps"], ["redir", "8080:-h"], ["shell", "--pod=web:--help"]]) {
    const result = await run("kubectl-kdiag", args, { withoutNode: true });
    assert.notEqual(result.exitCode, 0, args.join(" "));
    assert.match(result.stderr, /node/, args.join(" "));
  }
});

test("in a terminal narrower than the rendered help, Node wraps the help to the terminal; in a wide one the launcher answers", async () => {
  const screen = async (columns: number, withoutNode: boolean) => {
    const env = { ...process.env, HOME: dir, KUBECONFIG: "", ...(withoutNode ? { PATH: tools } : {}) } as Record<string, string>;
    const term = pty.spawn(path.join(installed, "kdiag"), ["shell", "--help"], { cols: columns, rows: 40, env });
    let shown = "";
    term.onData((data) => (shown += data));
    const exitCode = await new Promise<number>((resolve) => term.onExit(({ exitCode: code }) => resolve(code)));
    return { exitCode, widest: Math.max(...shown.split(/\r?\n/).map((line) => line.length)) };
  };
  const narrow = await screen(72, false);
  assert.equal(narrow.exitCode, 0);
  assert.ok(narrow.widest <= 72, `the widest line has ${narrow.widest} characters`);
  assert.notEqual((await screen(72, true)).exitCode, 0, "a narrow terminal's help needs Node");
  const wide = await screen(120, true);
  assert.equal(wide.exitCode, 0);
  assert.ok(wide.widest > 72 && wide.widest <= 100, `the widest line has ${wide.widest} characters`);
});
