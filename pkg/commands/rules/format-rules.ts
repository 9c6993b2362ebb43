// What `rules` prints: each backend that holds something under a `# BACKEND (FAMILY)` header, its
// lines as the tool printed them (still valid input for iptables-restore and nft -f), kdiag's own
// lines ending in `  # kdiag`; a backend that could not be read says why in its header. The pod
// chose its rules' names and comments, so control characters are escaped (tabs stay: nft indents
// with them). Pure; test/unit/rules-dump.test.ts.
import type { RuleDump } from "../../../api/gen/kdiag.ts";
import { escapeControl } from "../../output/escape.ts";
import type { RuleFilter } from "./config.ts";
import { selectDumpLines, type DumpLine } from "./dump-lines.ts";

export const kdiagMark = "  # kdiag";

const titles: Readonly<Record<string, string>> = {
  "iptables-legacy": "iptables-legacy (IPv4)",
  "ip6tables-legacy": "iptables-legacy (IPv6)",
  "iptables-nft": "iptables-nft (IPv4)",
  "ip6tables-nft": "iptables-nft (IPv6)",
  nft: "nftables",
};

export function titleBackend(backend: string): string {
  return titles[backend] ?? escapeControl(backend);
}

export interface SelectedDump {
  dump: RuleDump;
  lines: DumpLine[];
}

export function selectDumps(dumps: readonly RuleDump[], filter: RuleFilter): SelectedDump[] {
  return dumps.map((dump) => ({ dump, lines: selectDumpLines(dump, filter) }));
}

export function formatRulesText(selected: readonly SelectedDump[]): string {
  const sections = selected.flatMap(({ dump, lines }) => {
    if (dump.error !== "") return [`# ${titleBackend(dump.backend)}: not read: ${escapeControl(dump.error)}\n`];
    if (lines.length === 0) return [];
    const body = lines.map((line) => escapeLine(line.text) + (line.kdiag ? kdiagMark : "")).join("\n");
    const cut = dump.truncated ? "\n# (cut: the dump is longer than kdiag's manager returns)" : "";
    return [`# ${titleBackend(dump.backend)}\n${body}${cut}\n`];
  });
  return sections.join("\n");
}

export function escapeLine(text: string): string {
  return text.split("\t").map(escapeControl).join("\t");
}

/** The `-o json|yaml` document (README: rules -o json). */
export interface RulesDocument {
  pod: string;
  namespace: string;
  /** With --node: the node, read through the debug pod `pod`. */
  node?: string;
  backends: Array<{
    backend: string;
    /** The kept lines, joined; empty when none. */
    text: string;
    /** Indexes (from 0) of the lines of `text` that are kdiag's. */
    kdiagLines: number[];
    kdiagTables: string[];
    error: string;
    truncated: boolean;
  }>;
}

export function toRulesDocument(place: { pod: string; namespace: string; node?: string }, selected: readonly SelectedDump[]): RulesDocument {
  return {
    ...place,
    backends: selected.map(({ dump, lines }) => ({
      backend: dump.backend,
      text: lines.map((line) => `${line.text}\n`).join(""),
      kdiagLines: lines.flatMap((line, index) => (line.kdiag ? [index] : [])),
      kdiagTables: [...dump.kdiagTables],
      error: dump.error,
      truncated: dump.truncated,
    })),
  };
}
