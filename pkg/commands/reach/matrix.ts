// The reachability matrix: sources down, destinations across, one mark per probe (`.` reached,
// `X` not, `?` unknown or not probed), or milliseconds with --latency. The same text is what
// --expect reads back (expect.ts), so a saved run is a baseline. Pure; unit-tested.
import { escapeControl } from "../../output/escape.ts";

export const marks = { reachable: ".", unreachable: "X", unknown: "?" } as const;
export type Mark = (typeof marks)[keyof typeof marks];

export interface Cell {
  mark: Mark;
  latencyMs?: number;
  error?: string;
  httpFirstLine?: string;
}

export interface Matrix {
  rows: Array<{ label: string; node?: string }>;
  columns: Array<{ label: string }>;
  /** cells[row][column] */
  cells: Cell[][];
}

const gap = "   ";

export function formatMatrix(matrix: Matrix, options: { latency?: boolean } = {}): string {
  const header = ["-", ...matrix.columns.map((column) => column.label)];
  const rows = matrix.rows.map((row, index) => [
    row.label,
    ...(matrix.cells[index] ?? []).map((cell) => (options.latency && cell.mark === marks.reachable ? formatMs(cell.latencyMs ?? 0) : cell.mark)),
  ]);
  const table = [header, ...rows];
  const widths = header.map((_, column) => Math.max(...table.map((row) => row[column]?.length ?? 0)));
  return table.map((row) => row.map((text, column) => (column === row.length - 1 ? text : text.padEnd(widths[column] ?? 0))).join(gap).trimEnd()).join("\n") + "\n";
}

function formatMs(ms: number): string {
  return ms < 10 ? ms.toFixed(1) : String(Math.round(ms));
}

export function countMarks(matrix: Matrix): { probes: number; reachable: number; unknown: number } {
  const all = matrix.cells.flat();
  return {
    probes: all.length,
    reachable: all.filter((cell) => cell.mark === marks.reachable).length,
    unknown: all.filter((cell) => cell.mark === marks.unknown).length,
  };
}

export function formatSummary(matrix: Matrix): string {
  const { probes, reachable, unknown } = countMarks(matrix);
  return `reachability: ${reachable} of ${probes} reachable${unknown > 0 ? ` (${unknown} unknown)` : ""}\n`;
}

/**
 * With --http: per destination, the distinct first lines of the answers and how many sources got
 * each, so load spreading over a Service's endpoints shows. The lines come from the destination:
 * escaped.
 */
export function formatHttpAnswers(matrix: Matrix): string {
  const lines = matrix.columns.flatMap((column, index) => {
    const counts = new Map<string, number>();
    for (const row of matrix.cells) {
      const answer = row[index]?.httpFirstLine;
      if (row[index]?.mark === marks.reachable && answer !== undefined) counts.set(answer, (counts.get(answer) ?? 0) + 1);
    }
    if (counts.size === 0) return [];
    const answers = [...counts].map(([answer, count]) => `${escapeControl(answer) || "(empty)"} (${count})`);
    return [`  ${column.label}: ${answers.join(", ")}`];
  });
  return lines.length === 0 ? "" : `http answers:\n${lines.join("\n")}\n`;
}

/** The reasons behind the `X` and `?` marks, one line per destination and reason. */
export function formatFailures(matrix: Matrix): string {
  const lines = matrix.columns.flatMap((column, index) => {
    const reasons = new Map<string, number>();
    for (const row of matrix.cells) {
      const cell = row[index];
      if (cell && cell.mark !== marks.reachable) reasons.set(cell.error || "failed", (reasons.get(cell.error || "failed") ?? 0) + 1);
    }
    return [...reasons].map(([reason, count]) => `  ${column.label}: ${escapeControl(reason)} (${count})`);
  });
  return lines.length === 0 ? "" : `not reached:\n${lines.join("\n")}\n`;
}
