// The options every single-pod command shares (shell, ps, manage, redir): where the cluster is,
// which pod and container, and how to run kdiag's manager there. Pure; unit-tested.

import { UsageError } from "../errors.ts";
import { parseDuration } from "../kube/duration.ts";
import { pullPolicies, type PullPolicy } from "../kube/ephemeral.ts";
import { describeNeededProfiles, profileChoices, servesCommand, type InjectingCommand, type ProfileChoice } from "../kube/profiles.ts";
import { toKubeOptions, type KubeArgs, type KubeOptions } from "../kube/options.ts";
import { toPodSelection, type PodSelection } from "../kube/pod-selection.ts";
import { getDefaultImage } from "../version.ts";

export interface PodCommandArgs extends KubeArgs {
  pod?: string;
  selector?: string;
  target?: string;
  image?: string;
  pullPolicy?: string;
  profile?: string;
  timeout?: string;
  quiet?: boolean;
}

export interface PodCommandConfig {
  kube: KubeOptions;
  selection: PodSelection;
  /** -t; undefined means the pod's first container. */
  target?: string;
  image: string;
  pullPolicy: PullPolicy;
  /** What kdiag's container may do (profiles.ts), or auto: a container is reused only by commands its profile serves. */
  profile: ProfileChoice;
  /** The command, for the profiles that serve it (profiles.ts commandProfiles). */
  command: InjectingCommand;
  /** How long to wait for the manager to start (not for image-pull errors: those end at once). */
  timeoutMs: number;
  quiet: boolean;
}

export const defaultTimeout = "2m";

export function toPodCommandConfig(argv: PodCommandArgs, command: InjectingCommand): PodCommandConfig {
  return { ...toManagerConfig(argv, command), selection: toPodSelection(argv) };
}

/** Everything but the pod: for a command that picks its pod itself (`rules --node` makes one). */
export function toManagerConfig(argv: PodCommandArgs, command: InjectingCommand): Omit<PodCommandConfig, "selection"> {
  const target = argv.target?.trim();
  if (argv.target !== undefined && !target) throw new UsageError("-t needs a container name");
  const image = argv.image?.trim();
  if (argv.image !== undefined && !image) throw new UsageError("--image needs an image reference");
  const timeoutMs = parseDuration(argv.timeout ?? defaultTimeout, "--timeout");
  if (timeoutMs <= 0) throw new UsageError(`--timeout \`${argv.timeout}\` must be longer than 0s`);
  return {
    kube: toKubeOptions(argv),
    target: target || undefined,
    image: image || getDefaultImage(),
    pullPolicy: toPullPolicy(argv.pullPolicy),
    profile: toProfile(argv.profile, command),
    command,
    timeoutMs,
    quiet: argv.quiet ?? false,
  };
}

/** --profile: auto by default; a profile that cannot serve the command is refused before anything is added. */
export function toProfile(value: string | undefined, command: InjectingCommand): ProfileChoice {
  if (value === undefined) return "auto";
  const profile = profileChoices.find((candidate) => candidate === value.toLowerCase());
  if (!profile) throw new UsageError(`--profile \`${value}\` is not a profile; use one of ${profileChoices.join(", ")}`);
  if (profile !== "auto" && !servesCommand(profile, command)) {
    throw new UsageError(`${command} needs --profile ${describeNeededProfiles(command)}: ${profile} cannot change or read the pod's netfilter rules (NET_ADMIN)`);
  }
  return profile;
}

export function toPullPolicy(value: string | undefined): PullPolicy {
  if (value === undefined) return "IfNotPresent";
  const policy = pullPolicies.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (!policy) {
    throw new UsageError(`--pull-policy \`${value}\` is not a pull policy; use one of ${pullPolicies.join(", ")}`);
  }
  return policy;
}
