// Wires `kdiag doctor` to the real world: the kubeconfig's cluster, the findings on stdout, progress on stderr.
import { createProgress } from "../../output/progress.ts";
import type { DoctorConfig } from "./config.ts";
import { runDoctor } from "./run.ts";

export async function runDoctorCommand(config: DoctorConfig): Promise<number> {
  return runDoctor(config, { stdout: process.stdout, progress: createProgress({ quiet: config.quiet }) });
}
