// Wires `kdiag ps` to the real world: the pod's manager over a port-forward, the table or document on stdout, progress on stderr.
import { createProgress } from "../../output/progress.ts";
import type { PsConfig } from "./config.ts";
import { runPs } from "./run.ts";

export async function runPsCommand(config: PsConfig): Promise<number> {
  return runPs(config, { stdout: process.stdout, progress: createProgress({ quiet: config.quiet }) });
}
