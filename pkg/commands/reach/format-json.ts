// `-o json`: the whole run as one document for tools (its schema is in the README's reach
// section). Names and answers are the cluster's and the destinations' text, left as JSON escapes them.
import { formatData } from "../../output/data.ts";
import type { Comparison } from "./expect.ts";
import { countMarks, type Matrix } from "./matrix.ts";
import type { Column, SourcePod } from "./plan.ts";

export function formatReachJson(options: {
  sources: SourcePod[];
  /** Per source, why it could not probe (its row is all `?`). */
  failures: Array<string | undefined>;
  columns: Column[];
  matrix: Matrix;
  comparison?: Comparison;
}): string {
  const { matrix } = options;
  const document = {
    summary: countMarks(matrix),
    sources: options.sources.map((source, index) => {
      const failure = options.failures[index];
      return { label: matrix.rows[index]?.label, ...source, ...(failure === undefined ? {} : { failure }) };
    }),
    destinations: options.columns,
    probes: matrix.rows.flatMap((row, rowIndex) =>
      matrix.columns.map((column, columnIndex) => {
        const cell = matrix.cells[rowIndex]?.[columnIndex];
        return {
          source: row.label,
          destination: column.label,
          mark: cell?.mark,
          ...(cell?.latencyMs === undefined ? {} : { latencyMs: cell.latencyMs }),
          ...(cell?.error === undefined ? {} : { error: cell.error }),
          ...(cell?.httpFirstLine === undefined ? {} : { httpFirstLine: cell.httpFirstLine }),
        };
      }),
    ),
    ...(options.comparison
      ? { expect: { correct: options.comparison.correct, incorrect: options.comparison.incorrect, differences: options.comparison.differences } }
      : {}),
  };
  // HTTP first lines and errors are the destinations' to write: escaped as every data output is.
  return formatData(document, "json");
}
