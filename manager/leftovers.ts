// At start-up, removes kdiag tables an earlier manager left behind (one that exited without
// its owner flag, or a table of a manager version that did not set it). A live manager's
// owned table refuses deletion with EPERM and is left alone; a table whose name only starts like
// kdiag's is another program's (a node's network namespace holds all kinds).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { deleteTableArgs, isKdiagTableName, parseTables, type TableRef } from "./nft-commands.ts";

const run = promisify(execFile);

export interface LeftoverReport {
  removed: TableRef[];
  inUse: TableRef[];
}

export async function removeLeftoverTables(options: { nft?: string[] } = {}): Promise<LeftoverReport> {
  const [command = "nft", ...prefix] = options.nft ?? ["nft"];
  const report: LeftoverReport = { removed: [], inUse: [] };
  const { stdout } = await run(command, [...prefix, "list", "tables"]);
  for (const table of parseTables(stdout).filter((t) => t.family === "inet" && isKdiagTableName(t.name))) {
    try {
      await run(command, [...prefix, ...deleteTableArgs(table)]);
      report.removed.push(table);
    } catch {
      report.inUse.push(table);
    }
  }
  return report;
}
