// Wires `kdiag shell` to the real world: the terminal's stdin, stdout and stderr, progress on stderr.
import { createProgress } from "../../output/progress.ts";
import type { ShellConfig } from "./config.ts";
import { runShell } from "./run.ts";

export async function runShellCommand(config: ShellConfig): Promise<number> {
  const progress = createProgress({ quiet: config.quiet });
  return runShell(config, { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, progress });
}
