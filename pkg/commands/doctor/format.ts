// `doctor`'s findings as a table for people and as one JSON document for tools. Anything the pod
// or the API server wrote is escaped before it reaches a terminal. Pure; unit-tested.

import { formatData } from "../../output/data.ts";
import { escapeControl } from "../../output/escape.ts";
import { profileSummaries } from "../../kube/profiles.ts";
import { injectingCommands, podSecurityModes, type DoctorFacts, type Injection, type Verdict } from "./verdicts.ts";

export function formatDoctorTable(facts: DoctorFacts, verdicts: Verdict[]): string {
  const about: Array<[string, string]> = [
    ["namespace", `${facts.namespace}, PodSecurity ${describePodSecurity(facts.podSecurity)}`],
    ["cluster", "version" in facts.server ? facts.server.version : `unknown (${facts.server.error})`],
    ["user", "name" in facts.user ? facts.user.name : `unknown (${facts.user.error})`],
  ];
  if (facts.pod) {
    const user = facts.pod.targetUser === undefined ? "uid from the image" : `uid ${facts.pod.targetUser}`;
    about.push(["pod", `${facts.pod.name}, target ${facts.pod.target} ${facts.pod.targetState} (${user})${facts.pod.hostNetwork ? ", hostNetwork" : ""}`]);
    const present = facts.pod.kdiagContainers.map((container) => `${container.name} ${container.state}`).join(", ");
    about.push(["kdiag containers", present || "none"]);
  }
  for (const command of injectingCommands) {
    const injection = facts.injections?.[command];
    if (injection) about.push([`auto for ${command}`, describeInjection(injection)]);
  }
  if (facts.kernel) about.push(["node kernel", "version" in facts.kernel ? facts.kernel.version : `unknown (${facts.kernel.error})`]);
  const width = Math.max(...about.map(([label]) => label.length));
  const lines = about.map(([label, text]) => `${label.padEnd(width)}  ${escapeControl(text)}`);

  const commandWidth = Math.max("COMMAND".length, ...verdicts.map((verdict) => verdict.command.length));
  const row = (command: string, works: string, why: string) => `${command.padEnd(commandWidth)}  ${works.padEnd(5)}  ${why}`.trimEnd();
  lines.push("", row("COMMAND", "WORKS", "WHY NOT, AND WHAT TO ASK FOR"));
  for (const verdict of verdicts) {
    const [first = "", ...more] = verdict.reasons.map(escapeControl);
    const degraded = verdict.works && (verdict.profile === "baseline" || verdict.profile === "restricted");
    lines.push(row(verdict.command, verdict.works ? "yes" : "no", degraded ? `with profile ${verdict.profile}: ${profileSummaries[verdict.profile!]}` : first));
    for (const reason of more) lines.push(row("", "", reason));
  }
  return `${lines.join("\n")}\n`;
}

/** The JSON document (README: "doctor -o json"): the facts as found, then each command's verdict. */
export function formatDoctorJson(facts: DoctorFacts, verdicts: Verdict[]): string {
  const document = {
    namespace: facts.namespace,
    user: facts.user,
    server: facts.server,
    podSecurity: facts.podSecurity ?? null,
    permissions: facts.access,
    pod: facts.pod ?? null,
    injections: facts.injections ?? null,
    kernel: facts.kernel ?? null,
    commands: verdicts,
    works: verdicts.every((verdict) => verdict.works),
  };
  return formatData(document, "json");
}

function describePodSecurity(levels: DoctorFacts["podSecurity"]): string {
  if (levels === undefined) return "unknown (may not read the namespace)";
  return podSecurityModes.map((mode) => `${mode}=${levels[mode] ?? "-"}`).join(" ");
}

function describeInjection(injection: Injection): string {
  switch (injection.kind) {
    case "reuse":
      return `profile ${injection.profile}: ${injection.container} is running and will be reused`;
    case "admitted":
      return injection.how === "dry-run"
        ? `profile ${injection.profile}: ${injection.container ?? "a new one"} would be admitted (server-side dry run)`
        : `profile ${injection.profile}, as the namespace's PodSecurity label admits (name a pod for a dry run)`;
    case "refused":
      return `would be refused: ${injection.reason}`;
    case "unknown":
      return `unknown: ${injection.reason}`;
  }
}

