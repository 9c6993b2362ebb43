// `kubectl kdiag doctor`: finds out what decides whether each command works here, prints it, and
// exits 0 only when every command can work. Adds nothing to the cluster.

import { openKube } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import type { DoctorConfig } from "./config.ts";
import { gatherFacts } from "./facts.ts";
import { formatDoctorJson, formatDoctorTable } from "./format.ts";
import { judge } from "./verdicts.ts";

export interface DoctorDeps {
  stdout: { write(chunk: string): unknown };
  progress: Progress;
}

export async function runDoctor(config: DoctorConfig, deps: DoctorDeps): Promise<number> {
  const kube = openKube(config);
  deps.progress.update(`checking namespace ${kube.session.namespace}`);
  const facts = await gatherFacts(config, kube.session, kube.api);
  deps.progress.clear();
  const verdicts = judge(facts);
  deps.stdout.write(config.output === "json" ? formatDoctorJson(facts, verdicts) : formatDoctorTable(facts, verdicts));
  return verdicts.every((verdict) => verdict.works) ? 0 : 1;
}
