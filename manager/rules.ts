// The Rules call: every backend's dump of the pod's network namespace, each by its own tool run
// as a child of the manager (which lives in that namespace), all five at once. A backend whose
// tool fails still has its place in the answer, with the reason, so the CLI can say what it could
// not see. kdiag's own tables are named here, where their naming is known (nft-commands.ts).
import { status, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { RuleDump, RulesRequest, RulesResponse } from "../api/gen/kdiag.ts";
import type { Log } from "./log.ts";
import { describeToolFailure, runTool } from "./run-tool.ts";

export const ruleBackends = [
  { backend: "iptables-legacy", path: "/usr/sbin/iptables-legacy-save", args: [] },
  { backend: "ip6tables-legacy", path: "/usr/sbin/ip6tables-legacy-save", args: [] },
  { backend: "iptables-nft", path: "/usr/sbin/iptables-nft-save", args: [] },
  { backend: "ip6tables-nft", path: "/usr/sbin/ip6tables-nft-save", args: [] },
  { backend: "nft", path: "/usr/sbin/nft", args: ["list", "ruleset"] },
] as const;

export const dumpTimeoutMs = 5_000;
export const maxDumpBytes = 4 * 1024 * 1024;
export const maxRulesCallsAtOnce = 2;

export type RulesHandler = (call: ServerUnaryCall<RulesRequest, RulesResponse>, callback: sendUnaryData<RulesResponse>) => void;

export function createRulesHandler(options: { log: Log; ownTable: () => string }): RulesHandler {
  let calls = 0;
  return (_call, callback) => {
    if (calls >= maxRulesCallsAtOnce) {
      return callback({ code: status.RESOURCE_EXHAUSTED, details: `${maxRulesCallsAtOnce} rules calls are running on this kdiag manager; try again when one ends` });
    }
    calls++;
    void dumpRules(options.ownTable())
      .then(
        (dumps) => {
          options.log("info", "rules", { failed: dumps.filter((dump) => dump.error !== "").map((dump) => dump.backend).join(",") });
          callback(null, { dumps });
        },
        (error: Error) => callback({ code: status.INTERNAL, details: `dumping the rules failed unexpectedly: ${error.message}` }),
      )
      .finally(() => calls--);
  };
}

/** OWN_TABLE is this manager's table: the only one it marks as kdiag's (a pod process can name a table kdiag_… too). */
export async function dumpRules(ownTable: string): Promise<RuleDump[]> {
  return Promise.all(
    ruleBackends.map(async ({ backend, path, args }): Promise<RuleDump> => {
      const run = { path, args, timeoutMs: dumpTimeoutMs, maxBytes: maxDumpBytes };
      const result = await runTool(run);
      const error = describeToolFailure(run, result);
      const text = error === undefined ? result.stdout : "";
      return { backend, text, error: error ?? "", truncated: result.truncated, kdiagTables: findKdiagTables(text, ownTable) };
    }),
  );
}

/**
 * "inet kdiag_12_ab34" when the nft listing holds this manager's own table. Owner-flagged, so only
 * the manager's nft process can write into it; any other table, whatever its name, is the pod's.
 */
export function findKdiagTables(text: string, ownTable: string): string[] {
  if (ownTable === "") return [];
  return text.split("\n").some((line) => line.startsWith(`table inet ${ownTable} {`)) ? [`inet ${ownTable}`] : [];
}
