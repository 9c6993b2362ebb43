// `reach`'s command line turned into a ReachConfig: which pods are the sources, what they dial,
// and how the matrix is shown. Pure; unit-tested.
import { UsageError } from "../../errors.ts";
import { parseDuration } from "../../kube/duration.ts";
import { toKubeOptions, type KubeArgs, type KubeOptions } from "../../kube/options.ts";
import { defaultTimeout, toProfile, toPullPolicy } from "../pod-config.ts";
import type { PullPolicy } from "../../kube/ephemeral.ts";
import type { ProfileChoice } from "../../kube/profiles.ts";
import { getDefaultImage } from "../../version.ts";
import { parseDestination, parsePodPort, type Destination, type Protocol } from "./destinations.ts";

export const reachOutputs = ["table", "json"] as const;
export type ReachOutput = (typeof reachOutputs)[number];

export const defaultProbeTimeout = "2s";
const maxProbeTimeoutMs = 10_000;

type Repeatable = string | string[];

export interface ReachArgs extends KubeArgs {
  selector?: Repeatable;
  pod?: Repeatable;
  all?: boolean;
  destinations?: Repeatable;
  to?: Repeatable;
  port?: string;
  dns?: boolean;
  http?: boolean;
  latency?: boolean;
  output?: string;
  expect?: string;
  probeTimeout?: string;
  maxSources?: string;
  profile?: string;
  image?: string;
  pullPolicy?: string;
  timeout?: string;
  quiet?: boolean;
}

export interface SourceChoice {
  selectors: string[];
  pods: string[];
  all: boolean;
}

export interface ReachConfig {
  kube: KubeOptions;
  sources: SourceChoice;
  destinations: Destination[];
  /** --port: what the `pods` destination dials. */
  podPort?: { port: number; protocol: Protocol };
  dns: boolean;
  http: boolean;
  latency: boolean;
  output: ReachOutput;
  expectFile?: string;
  probeTimeoutMs: number;
  /** Each source pod gets kdiag's container, for good: a selection larger than this is refused. */
  maxSources: number;
  profile: ProfileChoice;
  image: string;
  pullPolicy: PullPolicy;
  timeoutMs: number;
  quiet: boolean;
}

export const defaultMaxSources = 50;

export function toReachConfig(argv: ReachArgs): ReachConfig {
  const sources = toSourceChoice(argv);
  const texts = [...toList(argv.destinations), ...toList(argv.to)];
  if (texts.length === 0) throw new UsageError("name at least one destination, e.g. `pods --port 8080`, `svc/echo` or `10.0.0.7:80`");
  const destinations = texts.map(parseDestination);
  const podPort = argv.port === undefined ? undefined : parsePodPort(argv.port);
  if (destinations.some((destination) => destination.kind === "pods") && !podPort) {
    throw new UsageError("the destination `pods` needs --port, e.g. --port 8080");
  }
  const output = reachOutputs.find((candidate) => candidate === (argv.output ?? "table"));
  if (!output) throw new UsageError(`-o \`${argv.output}\` is not an output format; use one of ${reachOutputs.join(", ")}`);
  const probeTimeoutMs = parseDuration(argv.probeTimeout ?? defaultProbeTimeout, "--probe-timeout");
  if (probeTimeoutMs < 1 || probeTimeoutMs > maxProbeTimeoutMs) {
    throw new UsageError(`--probe-timeout \`${argv.probeTimeout}\` is out of range (1ms–10s)`);
  }
  const timeoutMs = parseDuration(argv.timeout ?? defaultTimeout, "--timeout");
  if (timeoutMs <= 0) throw new UsageError(`--timeout \`${argv.timeout}\` must be longer than 0s`);
  const maxSources = Number(argv.maxSources ?? defaultMaxSources);
  if (!/^\d+$/.test(String(argv.maxSources ?? defaultMaxSources)) || maxSources < 1) {
    throw new UsageError(`--max-sources \`${argv.maxSources}\` is not a positive number of pods`);
  }
  if (argv.expect !== undefined && argv.expect.trim() === "") throw new UsageError("--expect needs a file");
  const image = argv.image?.trim();
  if (argv.image !== undefined && !image) throw new UsageError("--image needs an image reference");
  return {
    kube: toKubeOptions(argv),
    sources,
    destinations,
    podPort,
    dns: argv.dns ?? false,
    http: argv.http ?? false,
    latency: argv.latency ?? false,
    output,
    expectFile: argv.expect,
    probeTimeoutMs,
    maxSources,
    profile: toProfile(argv.profile, "reach"),
    image: image || getDefaultImage(),
    pullPolicy: toPullPolicy(argv.pullPolicy),
    timeoutMs,
    quiet: argv.quiet ?? false,
  };
}

function toSourceChoice(argv: ReachArgs): SourceChoice {
  const selectors = toList(argv.selector).map((selector) => selector.trim());
  const pods = toList(argv.pod).map((pod) => pod.trim());
  if (selectors.some((selector) => selector === "")) throw new UsageError("-l needs a label selector, e.g. -l app=web");
  if (pods.some((pod) => pod === "")) throw new UsageError("--pod needs a pod name");
  const all = argv.all ?? false;
  if (!all && selectors.length === 0 && pods.length === 0) throw new UsageError("choose the source pods with -l SELECTOR, --pod NAME or --all");
  return { selectors, pods, all };
}

function toList(value: Repeatable | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}
