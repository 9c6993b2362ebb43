// What `rules --conntrack` prints: one row per entry, the original direction beside the reply's
// (where a Service's DNAT shows: the reply comes from the endpoint, not the ClusterIP). Pure;
// test/unit/rules-conntrack-format.test.ts.
import type { ConntrackEntry, ConntrackTuple } from "../../../api/gen/kdiag.ts";
import { escapeControl } from "../../output/escape.ts";

const headers = ["PROTO", "ORIGINAL", "REPLY", "STATE", "TIMEOUT"] as const;

export function formatTuple(tuple: ConntrackTuple | undefined): string {
  if (!tuple) return "-";
  const end = (address: string, port: number) => {
    const host = address.includes(":") ? `[${address}]` : address;
    return port === 0 ? host : `${host}:${port}`;
  };
  return `${end(tuple.source, tuple.sourcePort)} -> ${end(tuple.destination, tuple.destinationPort)}`;
}

export function formatConntrackTable(entries: readonly ConntrackEntry[]): string {
  const rows = entries.map((entry) => [
    entry.protocol,
    formatTuple(entry.original),
    formatTuple(entry.reply),
    [entry.state, ...entry.flags].filter(Boolean).join(",") || "-",
    `${entry.timeoutSeconds}s`,
  ].map(escapeControl));
  const table = [[...headers], ...rows];
  const widths = headers.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  return table.map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  ")).join("\n") + "\n";
}

/** The `-o json|yaml` document of a listing (README: rules --conntrack -o json). */
export interface ConntrackDocument {
  pod: string;
  namespace: string;
  /** With --node: the node, read through the debug pod `pod`. */
  node?: string;
  entries: Array<{
    protocol: string;
    state: string;
    timeoutSeconds: number;
    flags: string[];
    mark: number;
    original: TupleDocument;
    reply: TupleDocument;
  }>;
  truncated: boolean;
}

interface TupleDocument {
  source: string;
  destination: string;
  sourcePort: number;
  destinationPort: number;
}

export function toConntrackDocument(place: { pod: string; namespace: string; node?: string }, entries: readonly ConntrackEntry[], truncated: boolean): ConntrackDocument {
  const tuple = (value: ConntrackTuple | undefined): TupleDocument => ({
    source: value?.source ?? "",
    destination: value?.destination ?? "",
    sourcePort: value?.sourcePort ?? 0,
    destinationPort: value?.destinationPort ?? 0,
  });
  return {
    ...place,
    entries: entries.map((entry) => ({
      protocol: entry.protocol,
      state: entry.state,
      timeoutSeconds: entry.timeoutSeconds,
      flags: [...entry.flags],
      mark: entry.mark,
      original: tuple(entry.original),
      reply: tuple(entry.reply),
    })),
    truncated,
  };
}
