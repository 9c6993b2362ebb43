// `kdiag logs` options turned into a checked configuration. Pure: no I/O, unit-tested.
import { UsageError } from "../../errors.ts";
import { parseDuration } from "../../kube/duration.ts";
import { toKubeOptions, type KubeArgs, type KubeOptions } from "../../kube/options.ts";

/** Where to look for pods: a label selector or one pod by name, each with an optional container. */
export type LogSource =
  | { kind: "selector"; selector: string; container?: string }
  | { kind: "pod"; name: string; container?: string };

export const OUTPUT_FORMATS = ["text", "json"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export interface LogsConfig {
  kube: KubeOptions;
  sources: LogSource[];
  /** Follow every container of each pod instead of its default one. */
  allContainers: boolean;
  /** The container for sources without a `:container` suffix (else the pod's default). */
  container?: string;
  /** Also show lines written this long before the start (milliseconds). */
  sinceMs: number;
  timestamps: boolean;
  /** How long to keep following after the command exits (milliseconds). */
  drainMs: number;
  output: OutputFormat;
  /** The command to run once every stream is open; empty: follow until interrupted. */
  command: string[];
  /** --quiet: no notes (pods ending, waiting for pods); warnings still show. */
  quiet: boolean;
}

export interface LogsArgv extends KubeArgs {
  selector?: string[];
  pod?: string[];
  all?: boolean;
  container?: string;
  since?: string;
  timestamps?: boolean;
  drain?: string;
  output?: string;
  command?: string[];
  quiet?: boolean;
  /** Words before `--` that are not options: a command typed without `--`. */
  stray?: string[];
}

export const DEFAULT_DRAIN = "2s";

/** Splits `NAME[:container]`; label selectors and pod names never contain a colon. */
function splitContainer(text: string, flag: string): { head: string; container?: string } {
  const colon = text.lastIndexOf(":");
  if (colon === -1) return { head: text };
  const head = text.slice(0, colon);
  const container = text.slice(colon + 1);
  if (head === "" || container === "") {
    throw new UsageError(`${flag} \`${text}\` is incomplete; use ${flag} VALUE or ${flag} VALUE:CONTAINER`);
  }
  return { head, container };
}

/** Parses the repeated -l and --pod values into sources. */
export function parseSources(argv: Pick<LogsArgv, "selector" | "pod">): LogSource[] {
  const sources: LogSource[] = [];
  for (const text of argv.selector ?? []) {
    const { head, container } = splitContainer(text, "-l");
    sources.push(container ? { kind: "selector", selector: head, container } : { kind: "selector", selector: head });
  }
  for (const text of argv.pod ?? []) {
    const { head, container } = splitContainer(text, "--pod");
    sources.push(container ? { kind: "pod", name: head, container } : { kind: "pod", name: head });
  }
  return sources;
}

function parseOutput(text: string | undefined): OutputFormat {
  const value = text ?? "text";
  const format = OUTPUT_FORMATS.find((known) => known === value);
  if (!format) {
    throw new UsageError(`-o \`${value}\` is not an output format; use one of ${OUTPUT_FORMATS.join(", ")}`);
  }
  return format;
}

/** Checks and converts the parsed command line of `kdiag logs`. */
export function toLogsConfig(argv: LogsArgv): LogsConfig {
  const [stray] = argv.stray ?? [];
  if (stray !== undefined) {
    throw new UsageError(`\`${stray}\` is not an option of logs; put the command after \`--\`, e.g. \`logs -l app=web -- ${stray} …\``);
  }
  const sources = parseSources(argv);
  if (sources.length === 0) {
    throw new UsageError("logs needs pods to follow; give -l SELECTOR or --pod NAME (each may repeat)");
  }
  if (argv.all && argv.container !== undefined) {
    throw new UsageError("--all and -c cannot be used together; --all already follows every container");
  }
  if (argv.all && sources.some((source) => source.container !== undefined)) {
    throw new UsageError("--all follows every container; drop the `:container` suffix or drop --all");
  }
  const config: LogsConfig = {
    kube: toKubeOptions(argv),
    sources,
    allContainers: argv.all ?? false,
    sinceMs: argv.since === undefined ? 0 : parseDuration(argv.since, "--since"),
    timestamps: argv.timestamps ?? false,
    drainMs: parseDuration(argv.drain ?? DEFAULT_DRAIN, "--drain"),
    output: parseOutput(argv.output),
    command: argv.command ?? [],
    quiet: argv.quiet ?? false,
  };
  if (argv.container !== undefined) config.container = argv.container;
  return config;
}
