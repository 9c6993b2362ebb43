// `rules`: asks the pod's (or the node debug pod's) manager for its rules (filtered and marked
// here, or narrowed to one Service's kube-proxy rules) or its conntrack entries, and with
// --conntrack-delete removes the matching entries after the user agreed. A deletion that cannot
// be confirmed, and a Service that cannot be found, are refused before any manager is injected.
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
import { detectProxyModes, formatServiceRules, selectServiceSections, toServiceRulesDocument } from "./format-service.ts";
import type { ServiceRef, ServiceTarget } from "./service-target.ts";

export interface OpenedManager {
  /** The pod the manager runs in; with `node`, the debug pod on that node. */
  place: { pod: string; namespace: string; node?: string };
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
  /** The Service and its EndpointSlices, read before anything is created (rules --service). */
  findService?: (ref: ServiceRef) => Promise<ServiceTarget>;
  /** Asks a yes/no question on the terminal; absent when stdin is not one. */
  confirm?: (question: string) => Promise<boolean>;
}

export async function runRules(config: RulesConfig, deps: RulesDeps): Promise<number> {
  const { mode } = config;
  if (mode.kind === "conntrack-delete" && !mode.yes && !deps.confirm) {
    throw new KdiagError("--conntrack-delete asks before deleting and stdin is not a terminal; add --yes to delete without asking", { exitCode: usageExitCode });
  }
  const target = mode.kind === "service" ? await findService(mode.service, deps) : undefined;
  const manager = await deps.openManager();
  try {
    deps.progress.clear();
    switch (mode.kind) {
      case "rules":
        return await showRules(config, mode.filter, manager, deps);
      case "service":
        return await showServiceRules(config, target!, manager, deps);
      case "conntrack":
        return await showConntrack(config, mode.filter, manager, deps);
      case "conntrack-delete":
        return await deleteConntrack(config, { filter: mode.filter, yes: mode.yes }, manager, deps);
    }
  } finally {
    await manager.close();
  }
}

function findService(ref: ServiceRef, deps: RulesDeps): Promise<ServiceTarget> {
  if (!deps.findService) throw new KdiagError("--service reads Services from the API, which this caller does not offer");
  deps.progress.update(`reading Service ${ref.namespace ? `${ref.namespace}/` : ""}${ref.name} and its EndpointSlices`);
  return deps.findService(ref);
}

function describePlace(place: OpenedManager["place"]): string {
  return place.node !== undefined ? `node ${place.node}` : `pod ${place.pod}`;
}

async function showServiceRules(config: RulesConfig, target: ServiceTarget, manager: OpenedManager, deps: RulesDeps): Promise<number> {
  const dumps = await manager.calls.rules();
  const node = manager.place.node ?? manager.place.pod;
  const found = { node, target, modes: detectProxyModes(dumps), sections: selectServiceSections(dumps, target) };
  deps.stdout.write(config.output === "text" ? formatServiceRules(found) : formatData(toServiceRulesDocument(found), config.output));
  return 0;
}

async function showRules(config: RulesConfig, filter: RuleFilter, manager: OpenedManager, deps: RulesDeps): Promise<number> {
  const dumps = await manager.calls.rules();
  const selected = selectDumps(dumps, filter);
  const where = describePlace(manager.place);
  const nothing = selected.every(({ lines }) => lines.length === 0);
  if (nothing && (filter.table !== undefined || filter.chain !== undefined)) {
    const tables = [...new Set(dumps.flatMap(listTables))];
    throw new KdiagError(`${describeRuleFilter(filter)} is not in ${where}'s rules; its tables: ${tables.join(", ") || "none"}`, { exitCode: usageExitCode });
  }
  if (config.output !== "text") {
    deps.stdout.write(formatData(toRulesDocument(manager.place, selected), config.output));
    return 0;
  }
  const text = formatRulesText(selected);
  deps.stdout.write(text === "" ? `# no iptables or nftables rules in ${where}'s network namespace\n` : text);
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
    const hint = manager.place.node === undefined ? ` (${emptyHint})` : "";
    deps.progress.note(`no matching conntrack entries in ${describePlace(manager.place)}${hint}`);
    return 0;
  }
  deps.stdout.write(formatConntrackTable(entries));
  return 0;
}

async function deleteConntrack(config: RulesConfig, options: { filter: ConntrackFilter; yes: boolean }, manager: OpenedManager, deps: RulesDeps): Promise<number> {
  const where = describePlace(manager.place);
  if (!options.yes && deps.confirm) {
    const { entries, truncated } = await manager.calls.conntrack(toRequest(options.filter, false));
    if (entries.length === 0) {
      deps.progress.note(`no matching conntrack entries in ${where}; nothing to delete`);
      return 0;
    }
    deps.stderr.write(formatConntrackTable(entries));
    const count = `${entries.length}${truncated ? "+" : ""}`;
    if (!(await deps.confirm(`delete these ${count} conntrack entries of ${where}? [y/N] `))) {
      deps.progress.note("nothing deleted");
      return 1;
    }
  }
  const { deleted } = await manager.calls.conntrack(toRequest(options.filter, true));
  deps.stdout.write(
    config.output === "text" ? `deleted ${deleted} conntrack ${deleted === 1 ? "entry" : "entries"} of ${where}\n` : formatData({ ...manager.place, deleted }, config.output),
  );
  return 0;
}
