// One manager per source pod, all connected at once, and one Reach call each (more only past
// the manager's 256 probes per call): the CLI's cost grows with sources plus destinations; the
// product is dialled inside the pods, concurrently. A source whose manager cannot be had becomes
// a row of `?` with the reason, not the end of the whole matrix.
import { Probe_Protocol, type Probe, type ProbeResult } from "../../../api/gen/kdiag.ts";
import { describeError } from "../../errors.ts";
import { createManagerCalls } from "../../manager-call.ts";
import { connectManager } from "../../manager-client.ts";
import type { Kube } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import type { PodCommandConfig } from "../pod-config.ts";
import type { ReachConfig } from "./config.ts";
import { marks, type Cell } from "./matrix.ts";
import type { Column, SourcePod } from "./plan.ts";

const probesPerCall = 256;
const dialsInFlight = 32;

export interface SourceRow {
  cells: Cell[];
  /** Why the whole row is `?`, when the source's manager could not be had. */
  failure?: string;
}

export async function probeFromSources(options: {
  config: ReachConfig;
  kube: Kube;
  sources: SourcePod[];
  columns: Column[];
  progress: Progress;
}): Promise<SourceRow[]> {
  const { config, columns } = options;
  const probes = columns.map((column): Probe => ({
    host: column.host,
    port: column.port,
    protocol: column.protocol === "udp" ? Probe_Protocol.UDP : Probe_Protocol.TCP,
    http: config.http && column.protocol === "tcp",
  }));
  let ready = 0;
  options.progress.update(`connecting to kdiag's manager in ${options.sources.length} pods`);
  return mapWithLimit(
    options.sources,
    connectionsAtOnce,
    async (source): Promise<SourceRow> => {
      try {
        const results = await probeFromSource({ config, kube: options.kube, source, probes });
        options.progress.update(`probed from ${++ready} of ${options.sources.length} pods`);
        return { cells: results.map(toCell) };
      } catch (error) {
        const failure = describeError(error);
        options.progress.warn(`no probes from pod ${source.name}: ${failure}`);
        return { cells: columns.map(() => ({ mark: marks.unknown, error: "no probe from this source" })), failure };
      }
    },
  );
}

/** Each source costs a port-forward, a log read and an exec while it connects: a few at once. */
const connectionsAtOnce = 16;

async function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

async function probeFromSource(options: { config: ReachConfig; kube: Kube; source: SourcePod; probes: Probe[] }): Promise<ProbeResult[]> {
  const { config } = options;
  const podConfig: PodCommandConfig = { ...config, command: "reach", selection: { kind: "name", name: options.source.name }, target: undefined };
  // Progress is the whole matrix's, not each pod's.
  const silent: Progress = { update: () => {}, clear: () => {}, warn: () => {}, note: () => {} };
  const connection = await connectManager(podConfig, options.kube, silent);
  try {
    const calls = createManagerCalls(connection.client, connection);
    const results: ProbeResult[] = [];
    for (let start = 0; start < options.probes.length; start += probesPerCall) {
      const chunk = options.probes.slice(start, start + probesPerCall);
      // Each round of dials may take the whole probe timeout; the rest is the port-forward's.
      const deadline = new Date(Date.now() + config.probeTimeoutMs * Math.ceil(chunk.length / dialsInFlight) + 30_000);
      results.push(...(await calls.reach(chunk, config.probeTimeoutMs, deadline)));
    }
    return results;
  } finally {
    await connection.close();
  }
}

function toCell(result: ProbeResult): Cell {
  const mark = result.reachable ? marks.reachable : result.unknown ? marks.unknown : marks.unreachable;
  return {
    mark,
    latencyMs: result.reachable ? result.latencyMs : undefined,
    error: result.error || undefined,
    httpFirstLine: result.httpFirstLine || undefined,
  };
}
