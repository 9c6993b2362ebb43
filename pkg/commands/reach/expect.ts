// --expect: reads a matrix in the table format reach prints (a saved run is a baseline), and
// compares it with what was observed, cell by cell, matched by row and column labels. Pure;
// unit-tested.
import { KdiagError } from "../../errors.ts";
import { marks, type Cell, type Mark, type Matrix } from "./matrix.ts";

export interface ExpectedMatrix {
  rows: string[];
  columns: string[];
  /** marks[row][column] */
  marks: Mark[][];
}

export interface Difference {
  source: string;
  destination: string;
  expected: Mark | "missing";
  observed: Mark | "missing";
}

export interface Comparison {
  correct: number;
  incorrect: number;
  differences: Difference[];
  /** The observed matrix with `.` where it matches the expectation and `X` where it does not. */
  matrix: Matrix;
}

const markList: readonly string[] = Object.values(marks);

/** The first table in `text` (lines from the `-` header to a blank line); latencies count as `.`. */
export function parseExpectedMatrix(text: string, file: string): ExpectedMatrix {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => /^-(\s|$)/.test(line));
  if (start < 0) throw new KdiagError(`--expect file \`${file}\` has no matrix (a header line starting with \`-\`, as reach prints it)`);
  const columns = splitCells(lines[start] ?? "").slice(1);
  const rows: string[] = [];
  const table: Mark[][] = [];
  for (const [offset, line] of lines.slice(start + 1).entries()) {
    if (line.trim() === "") break;
    const [label = "", ...cells] = splitCells(line);
    if (cells.length !== columns.length) {
      throw new KdiagError(`--expect file \`${file}\` line ${start + offset + 2} has ${cells.length} cells for ${columns.length} columns`);
    }
    rows.push(label);
    table.push(cells.map((cell) => toMark(cell, { file, line: start + offset + 2 })));
  }
  return { rows, columns, marks: table };
}

/** The expectation as a matrix, to print it as it was read. */
export function toMatrix(expected: ExpectedMatrix): Matrix {
  return {
    rows: expected.rows.map((label) => ({ label })),
    columns: expected.columns.map((label) => ({ label })),
    cells: expected.marks.map((row) => row.map((mark) => ({ mark }))),
  };
}

// Labels hold single spaces (`ns/pod (node)`); cells are separated by two or more.
function splitCells(line: string): string[] {
  return line.trim().split(/\s{2,}/);
}

function toMark(cell: string, where: { file: string; line: number }): Mark {
  if (markList.includes(cell)) return cell as Mark;
  if (/^\d+(\.\d+)?$/.test(cell)) return marks.reachable;
  throw new KdiagError(`--expect file \`${where.file}\` line ${where.line}: \`${cell}\` is not a mark (use ., X or ?)`);
}

export function compareMatrices(expected: ExpectedMatrix, observed: Matrix): Comparison {
  const differences: Difference[] = [];
  let correct = 0;
  const cells: Cell[][] = observed.rows.map((row, rowIndex) =>
    observed.columns.map((column, columnIndex) => {
      const seen = observed.cells[rowIndex]?.[columnIndex]?.mark ?? marks.unknown;
      const expectedRow = expected.rows.indexOf(row.label);
      const expectedColumn = expected.columns.indexOf(column.label);
      const wanted = expectedRow < 0 || expectedColumn < 0 ? "missing" : (expected.marks[expectedRow]?.[expectedColumn] ?? "missing");
      if (wanted === seen) {
        correct++;
        return { mark: marks.reachable };
      }
      differences.push({ source: row.label, destination: column.label, expected: wanted, observed: seen });
      return { mark: marks.unreachable };
    }),
  );
  // Expected cells that were not probed at all (a pod or destination gone) are differences too.
  for (const [rowIndex, row] of expected.rows.entries()) {
    for (const [columnIndex, column] of expected.columns.entries()) {
      const probed = observed.rows.some((candidate) => candidate.label === row) && observed.columns.some((candidate) => candidate.label === column);
      if (!probed) differences.push({ source: row, destination: column, expected: expected.marks[rowIndex]?.[columnIndex] ?? marks.unknown, observed: "missing" });
    }
  }
  return { correct, incorrect: differences.length, differences, matrix: { rows: observed.rows, columns: observed.columns, cells } };
}

export function formatComparisonSummary(comparison: Comparison, observed: Matrix): string {
  const why = comparison.incorrect === 0 ? "" : ` (${describeDifferences(comparison.differences, observed)})`;
  return `reachability: correct ${comparison.correct}, incorrect ${comparison.incorrect}${why}\n`;
}

/**
 * The differences in a few words, grouped by destination and direction; sources are named by
 * node when they are exactly a node's sources, as "broken on one node" is the first hypothesis.
 */
export function describeDifferences(differences: Difference[], observed: Matrix): string {
  const groups = new Map<string, { verb: string; destination: string; sources: string[] }>();
  for (const difference of differences) {
    const verb = describeChange(difference);
    const key = `${difference.destination}\u0000${verb}`;
    const group = groups.get(key) ?? { verb, destination: difference.destination, sources: [] };
    group.sources.push(difference.source);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => `${nameSources(group.sources, observed)} ${group.verb} ${group.destination}`).join("; ");
}

function describeChange(difference: Difference): string {
  if (difference.observed === "missing") return "were not probed on";
  if (difference.expected === "missing") return "are not expected on";
  if (difference.expected === marks.reachable && difference.observed === marks.unreachable) return "fail on";
  if (difference.expected === marks.unreachable && difference.observed === marks.reachable) return "now reach";
  return `give ${difference.observed} (expected ${difference.expected}) on`;
}

function nameSources(sources: string[], observed: Matrix): string {
  const wanted = new Set(sources);
  if (observed.rows.length > 1 && observed.rows.every((row) => wanted.has(row.label))) return "all sources";
  const chosen = observed.rows.filter((row) => wanted.has(row.label));
  const nodes = [...new Set(chosen.map((row) => row.node ?? ""))];
  const onThoseNodes = observed.rows.filter((row) => nodes.includes(row.node ?? ""));
  const coversNodes = !nodes.includes("") && chosen.length === sources.length && onThoseNodes.length === chosen.length;
  if (coversNodes) return `node ${nodes.join(", ")} sources`;
  return sources.join(", ");
}
