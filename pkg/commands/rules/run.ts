// `rules`: asks the pod's manager for its rules (filtered and marked here) or its conntrack
// entries, and with --conntrack-delete removes the matching entries after the user agreed. A
// deletion that cannot be confirmed is refused before any manager is injected.
import type { ConntrackRequest } from "../../../api/gen/kdiag.ts";
import { KdiagError, usageExitCode } from "../../errors.ts";
import type { ManagerCalls } from "../../manager-call.ts";
import { formatData } from "../../output/data.ts";
import type { Progress } from "../../output/progress.ts";
import type { ConntrackFilter } from "../../../api/conntrack-filter.ts";
import type { RuleFilter, RulesConfig } from "./config.ts";
import { listTables } from "./dump-lines.ts";
import { formatConntrackTable, toConntrackDocument } from "./format-conntrack.ts";
import { formatRulesText, selectDumps, toRulesDocument } from "./format-rules.ts";

export interface OpenedManager {
  place: { pod: string; namespace: string };
  calls: Pick<ManagerCalls, "rules" | "conntrack">;
  close(): Promise<void>;
}

export interface RulesDeps {
  /** Finds (or injects) the pod's manager and connects to it. */
  openManager(): Promise<OpenedManager>;
  stdout: { write(chunk: string): unknown };
  /** Where the entries to delete are shown before the question. */
  stderr: { write(chunk: string): unknown };
  progress: Progress;
  /** Asks a yes/no question on the terminal; absent when stdin is not one. */
  confirm?: (question: string) => Promise<boolean>;
}

export async function runRules(config: RulesConfig, deps: RulesDeps): Promise<number> {
  const { mode } = config;
  if (mode.kind === "conntrack-delete" && !mode.yes && !deps.confirm) {
    throw new KdiagError("--conntrack-delete asks before deleting and stdin is not a terminal; add --yes to delete without asking", { exitCode: usageExitCode });
  }
  const manager = await deps.openManager();
  try {
    deps.progress.clear();
    switch (mode.kind) {
      case "rules":
        return await showRules(config, mode.filter, manager, deps);
      case "conntrack":
        return await showConntrack(config, mode.filter, manager, deps);
      case "conntrack-delete":
        return await deleteConntrack(config, { filter: mode.filter, yes: mode.yes }, manager, deps);
    }
  } finally {
    await manager.close();
  }
}

async function showRules(config: RulesConfig, filter: RuleFilter, manager: OpenedManager, deps: RulesDeps): Promise<number> {
  const dumps = await manager.calls.rules();
  const selected = selectDumps(dumps, filter);
  const { pod } = manager.place;
  const nothing = selected.every(({ lines }) => lines.length === 0);
  if (nothing && (filter.table !== undefined || filter.chain !== undefined)) {
    const tables = [...new Set(dumps.flatMap(listTables))];
    throw new KdiagError(`${describeRuleFilter(filter)} is not in pod ${pod}'s rules; its tables: ${tables.join(", ") || "none"}`, { exitCode: usageExitCode });
  }
  if (config.output !== "text") {
    deps.stdout.write(formatData(toRulesDocument(manager.place, selected), config.output));
    return 0;
  }
  const text = formatRulesText(selected);
  deps.stdout.write(text === "" ? `# no iptables or nftables rules in pod ${pod}'s network namespace\n` : text);
  return 0;
}

function describeRuleFilter(filter: RuleFilter): string {
  if (filter.chain !== undefined && filter.table !== undefined) return `chain \`${filter.chain}\` of table \`${filter.table}\``;
  return filter.chain !== undefined ? `chain \`${filter.chain}\`` : `table \`${filter.table}\``;
}

function toRequest(filter: ConntrackFilter, remove: boolean): ConntrackRequest {
  return { protocol: filter.protocol ?? "", destination: filter.destination ?? "", port: filter.port ?? 0, delete: remove };
}

// The kernel tracks a namespace's connections only while one of its rules uses conntrack.
const emptyHint = "a pod's network namespace tracks connections only while a rule in it uses conntrack (NAT, ct state); Service NAT is tracked on the node";

async function showConntrack(config: RulesConfig, filter: ConntrackFilter, manager: OpenedManager, deps: RulesDeps): Promise<number> {
  const { entries, truncated } = await manager.calls.conntrack(toRequest(filter, false));
  if (truncated) deps.progress.warn(`only the first ${entries.length} matching conntrack entries are shown; narrow them with --proto, --dst or --dport`);
  if (config.output !== "text") {
    deps.stdout.write(formatData(toConntrackDocument(manager.place, entries, truncated), config.output));
    return 0;
  }
  if (entries.length === 0) {
    deps.progress.note(`no matching conntrack entries in pod ${manager.place.pod} (${emptyHint})`);
    return 0;
  }
  deps.stdout.write(formatConntrackTable(entries));
  return 0;
}

async function deleteConntrack(config: RulesConfig, options: { filter: ConntrackFilter; yes: boolean }, manager: OpenedManager, deps: RulesDeps): Promise<number> {
  const { pod } = manager.place;
  if (!options.yes && deps.confirm) {
    const { entries, truncated } = await manager.calls.conntrack(toRequest(options.filter, false));
    if (entries.length === 0) {
      deps.progress.note(`no matching conntrack entries in pod ${pod}; nothing to delete`);
      return 0;
    }
    deps.stderr.write(formatConntrackTable(entries));
    const count = `${entries.length}${truncated ? "+" : ""}`;
    if (!(await deps.confirm(`delete these ${count} conntrack entries of pod ${pod}? [y/N] `))) {
      deps.progress.note("nothing deleted");
      return 1;
    }
  }
  const { deleted } = await manager.calls.conntrack(toRequest(options.filter, true));
  deps.stdout.write(
    config.output === "text" ? `deleted ${deleted} conntrack ${deleted === 1 ? "entry" : "entries"} of pod ${pod}\n` : formatData({ ...manager.place, deleted }, config.output),
  );
  return 0;
}
