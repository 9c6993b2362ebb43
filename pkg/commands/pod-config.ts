// The options every single-pod command shares (shell, ps, manage, redir): where the cluster is,
// which pod and container, and how to run kdiag's manager there. Pure; unit-tested.

import { UsageError } from "../errors.ts";
import { parseDuration } from "../kube/duration.ts";
import { profiles, pullPolicies, type Profile, type PullPolicy } from "../kube/ephemeral.ts";
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
  /** What kdiag's container may do (ephemeral.ts): a container is reused only with its own. */
  profile: Profile;
  /** How long to wait for the manager to start (not for image-pull errors: those end at once). */
  timeoutMs: number;
  quiet: boolean;
}

export const defaultTimeout = "2m";

export function toPodCommandConfig(argv: PodCommandArgs): PodCommandConfig {
  return { ...toManagerConfig(argv), selection: toPodSelection(argv) };
}

/** Everything but the pod: for a command that picks its pod itself (`rules --node` makes one). */
export function toManagerConfig(argv: PodCommandArgs): Omit<PodCommandConfig, "selection"> {
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
    profile: toProfile(argv.profile),
    timeoutMs,
    quiet: argv.quiet ?? false,
  };
}

export function toProfile(value: string | undefined): Profile {
  if (value === undefined) return "privileged";
  const profile = profiles.find((candidate) => candidate === value.toLowerCase());
  if (!profile) throw new UsageError(`--profile \`${value}\` is not a profile; use one of ${profiles.join(", ")}`);
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
