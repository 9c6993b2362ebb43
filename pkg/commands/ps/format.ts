// The `ps` table: PID PPID NAME LISTEN COMMAND, columns padded to their widest cell; COMMAND is
// last and never padded so long command lines stay whole. Names and command lines are the pod's
// to choose, so their control characters are escaped (pkg/output/escape.ts). Pure; unit-tested.

import type { ListeningAddress, Process } from "../../../api/gen/kdiag.ts";
import { escapeControl } from "../../output/escape.ts";

const headers = ["PID", "PPID", "NAME", "LISTEN", "COMMAND"] as const;

export function formatListening(address: ListeningAddress): string {
  const host = address.address.includes(":") ? `[${address.address}]` : address.address;
  return `${host}:${address.port}/${address.protocol}`;
}

export function formatPsTable(processes: Process[]): string {
  const rows = [...processes]
    .sort((a, b) => a.pid - b.pid)
    .map((process) => [
      String(process.pid),
      String(process.ppid),
      escapeControl(process.name),
      process.listening.map(formatListening).join(",") || "-",
      escapeControl(process.cmdline.join(" ") || `[${process.name}]`),
    ]);
  const table = [[...headers], ...rows];
  const widths = headers.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  return table
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join("  "))
    .join("\n") + "\n";
}

/** The `-o json|yaml` document; its fields are named here, not by the gRPC API (README: ps -o json). */
export interface PsDocument {
  processes: Array<{
    pid: number;
    ppid: number;
    name: string;
    cmdline: string[];
    listening: Array<{ protocol: string; address: string; port: number }>;
  }>;
}

export function toPsDocument(processes: Process[]): PsDocument {
  return {
    processes: [...processes]
      .sort((a, b) => a.pid - b.pid)
      .map((process) => ({
        pid: process.pid,
        ppid: process.ppid,
        name: process.name,
        cmdline: [...process.cmdline],
        listening: process.listening.map(({ protocol, address, port }) => ({ protocol, address, port })),
      })),
  };
}
