// Wires `kdiag reach` to the real world: each source pod's manager over a port-forward, the matrix on stdout, progress and warnings on stderr.
import { createProgress } from "../../output/progress.ts";
import type { ReachConfig } from "./config.ts";
import { runReach } from "./run.ts";

export async function runReachCommand(config: ReachConfig): Promise<number> {
  return runReach(config, { stdout: process.stdout, progress: createProgress({ quiet: config.quiet }) });
}
