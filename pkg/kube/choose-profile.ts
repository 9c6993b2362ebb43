// `--profile auto`: which of kdiag's profiles a command gets in a pod. A running kdiag container
// whose profile serves the command is reused as it is (no API call beyond the pod already read);
// otherwise each profile that serves the command is tried, in commandProfiles' order, with a
// server-side dry run of the very patch that would add it — the admission chain's own answer
// (PodSecurity, or any other policy), not a guess from the namespace's labels. doctor asks the
// same function. A command that will add the container anyway sends the first candidate's patch
// for real: where it is admitted (the common case) that saves a round trip, and a refused patch
// changes nothing, as a refused dry run does.

import type { V1EphemeralContainer, V1Pod } from "@kubernetes/client-node";
import { describeError, KdiagError } from "../errors.ts";
import { buildManagerContainer, planInjection, type ManagerSpec } from "./ephemeral.ts";
import { commandProfiles, describeNeededProfiles, type InjectingCommand, type Profile } from "./profiles.ts";

export type ProfileChoice =
  | { kind: "reuse"; profile: Profile; container: string }
  /** `added`: the container was added already (the first candidate, sent with `add`). */
  | { kind: "add"; profile: Profile; container: string; added: boolean }
  | { kind: "refused"; refusals: Refusal[] };

export interface Refusal {
  profile: Profile;
  reason: string;
  error: unknown;
}

export interface ChooseOptions {
  pod: V1Pod;
  spec: Omit<ManagerSpec, "profile">;
  command: InjectingCommand;
  /** The dry run of adding `container` (dryRun=All): resolves when admitted, throws the refusal. */
  dryRun: (container: V1EphemeralContainer) => Promise<unknown>;
  /** Adds `container` for real, for the first candidate; without it every candidate is a dry run. */
  add?: (container: V1EphemeralContainer) => Promise<unknown>;
}

export async function chooseProfile(options: ChooseOptions): Promise<ProfileChoice> {
  const candidates = commandProfiles[options.command];
  const reusable = findReusableProfile(options.pod, options.spec, candidates);
  if (reusable) return reusable;
  const refusals: Refusal[] = [];
  for (const [index, profile] of candidates.entries()) {
    const spec = { ...options.spec, profile };
    const plan = planInjection(options.pod, spec);
    const added = index === 0 && options.add !== undefined;
    try {
      await (added ? options.add! : options.dryRun)(buildManagerContainer(spec, plan.name));
      return { kind: "add", profile, container: plan.name, added };
    } catch (error) {
      refusals.push({ profile, reason: describeError(error), error });
    }
  }
  return { kind: "refused", refusals };
}

/** The first of `candidates` (in their order) that has a kdiag container here to reuse. */
export function findReusableProfile(pod: V1Pod, spec: Omit<ManagerSpec, "profile">, candidates: readonly Profile[]): Extract<ProfileChoice, { kind: "reuse" }> | undefined {
  for (const profile of candidates) {
    const plan = planInjection(pod, { ...spec, profile });
    if (plan.kind === "reuse") return { kind: "reuse", profile, container: plan.name };
  }
  return undefined;
}

/**
 * The error to report when no profile was admitted. The same answer for every profile (no
 * permission to add ephemeral containers, an API server out of reach) is not about profiles:
 * that error as it is. Otherwise one line naming what the command needs and the first refusal.
 */
export function describeRefusal(command: InjectingCommand, where: { pod: string; namespace: string }, refusals: Refusal[]): unknown {
  const [first] = refusals;
  if (first && refusals.every((refusal) => refusal.reason === first.reason)) return first.error;
  return new KdiagError(
    `${command} needs kdiag's profile ${describeNeededProfiles(command)}, which pod \`${where.pod}\` in namespace \`${where.namespace}\` does not admit: ${first?.reason ?? "no profile"}`,
  );
}
