// Renders every `--help` of a built CLI bundle by running it, as `kdiag` and as `kubectl-kdiag`
// (the name decides the text), for scripts/build.mjs to stamp into the next build as
// __KDIAG_HELP__ (see pkg/rendered-help.ts). The commands are the ones the main help lists.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const invocations = { "kubectl kdiag": "kubectl-kdiag", kdiag: "kdiag" };

export async function renderHelp(bundle) {
  const dir = mkdtempSync(path.join(tmpdir(), "kdiag-help-"));
  try {
    const rendered = {};
    for (const [invocation, executable] of Object.entries(invocations)) {
      const file = path.join(dir, executable);
      symlinkSync(path.resolve(bundle), file);
      // A pipe, not a terminal: yargs wraps at the width pkg/rendered-help.ts expects. The code
      // caches these runs would write hold the help path only: the first real command writes them.
      const help = async (args) => (await run(process.execPath, [file, ...args], { env: { ...process.env, KUBECONFIG: "", XDG_CACHE_HOME: path.join(dir, "cache") } })).stdout;
      const main = await help(["--help"]);
      const commands = listCommands(main, invocation);
      const texts = await Promise.all(commands.map((command) => help([command, "--help"])));
      rendered[invocation] = { "--help": main, ...Object.fromEntries(commands.map((command, index) => [`${command} --help`, texts[index]])) };
    }
    return rendered;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same texts, and `version`'s, as files the launcher (cmd/launcher.sh) prints without
 * starting Node: OUT_DIR/<executable>/help, <command>.help and version.
 */
export async function writeLauncherAnswers(bundle, rendered, outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const version = (await run(process.execPath, [bundle, "version"], { env: { ...process.env, KUBECONFIG: "" } })).stdout;
  for (const [invocation, executable] of Object.entries(invocations)) {
    const dir = path.join(outDir, executable);
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, "version"), version);
    for (const [key, text] of Object.entries(rendered[invocation])) {
      writeFileSync(path.join(dir, key === "--help" ? "help" : `${key.split(" ")[0]}.help`), text);
    }
  }
}

/** The command names under "Commands:" of the main help. */
function listCommands(help, invocation) {
  const section = help.split("\nCommands:\n")[1]?.split("\n\n")[0] ?? "";
  const prefix = `  ${invocation} `;
  const names = section
    .split("\n")
    .filter((line) => line.startsWith(prefix))
    .map((line) => line.slice(prefix.length).split(" ")[0]);
  if (names.length === 0) throw new Error(`no commands found in the main help of ${invocation}:\n${help}`);
  return names;
}
