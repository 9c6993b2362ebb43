// The matrix a user reads after `reach` — and reads back with --expect — in the shape:
// a summary line, sources down, destinations across, each pod labelled with its node.
import assert from "node:assert/strict";
import { test } from "node:test";
import { compareMatrices, formatComparisonSummary, parseExpectedMatrix, toMatrix } from "../../pkg/commands/reach/expect.ts";
import { formatFailures, formatHttpAnswers, formatMatrix, formatSummary, type Cell, type Matrix } from "../../pkg/commands/reach/matrix.ts";

const ok = (latencyMs: number, httpFirstLine?: string): Cell => ({ mark: ".", latencyMs, ...(httpFirstLine ? { httpFirstLine } : {}) });
const no = (error: string): Cell => ({ mark: "X", error });

const rows = [
  { label: "x/a (n1)", node: "n1" },
  { label: "x/b (n2)", node: "n2" },
  { label: "x/c (n2)", node: "n2" },
];
const columns = [{ label: "x/a (n1)" }, { label: "x/b (n2)" }, { label: "x/c (n2)" }, { label: "svc/echo" }];

function matrix(echo: Cell[]): Matrix {
  return { rows, columns, cells: echo.map((cell, row) => [ok(0.4), ok(1.25), ok(12.6), cell].map((value, column) => (row === column ? ok(0.1) : value))) };
}

const broken = matrix([ok(2, "hello from a"), no("timeout"), no("timeout")]);
const baseline = `reachability: 12 of 12 reachable
-          x/a (n1)   x/b (n2)   x/c (n2)   svc/echo
x/a (n1)   .          .          .          .
x/b (n2)   .          .          .          .
x/c (n2)   .          .          .          .
`;

test("the matrix marks each probe under its destination, columns padded to the widest label", () => {
  assert.equal(
    formatSummary(broken) + formatMatrix(broken),
    `reachability: 10 of 12 reachable
-          x/a (n1)   x/b (n2)   x/c (n2)   svc/echo
x/a (n1)   .          .          .          .
x/b (n2)   .          .          .          X
x/c (n2)   .          .          .          X
`,
  );
});

test("--latency prints milliseconds where a probe got through", () => {
  assert.equal(
    formatMatrix(broken, { latency: true }),
    `-          x/a (n1)   x/b (n2)   x/c (n2)   svc/echo
x/a (n1)   0.1        1.3        13         2.0
x/b (n2)   0.4        0.1        13         X
x/c (n2)   0.4        1.3        0.1        X
`,
  );
});

test("the reasons for X and the HTTP answers are listed per destination, the answers escaped", () => {
  assert.equal(formatFailures(broken), "not reached:\n  svc/echo: timeout (2)\n");
  const spread = matrix([ok(1, "hello from a"), ok(1, "hello from b"), ok(1, "hello from a\u001b[2J")]);
  assert.match(formatHttpAnswers(spread), /^http answers:\n  svc\/echo: hello from a \(1\), hello from b \(1\), hello from a\\e\[2J \(1\)\n$/);
});

test("--expect with a saved all-. run names the node whose sources now fail on the Service", () => {
  const comparison = compareMatrices(parseExpectedMatrix(baseline, "baseline.txt"), broken);
  assert.equal(formatComparisonSummary(comparison, broken), "reachability: correct 10, incorrect 2 (node n2 sources fail on svc/echo)\n");
  assert.deepEqual(comparison.differences, [
    { source: "x/b (n2)", destination: "svc/echo", expected: ".", observed: "X" },
    { source: "x/c (n2)", destination: "svc/echo", expected: ".", observed: "X" },
  ]);
  assert.equal(
    formatMatrix(comparison.matrix),
    `-          x/a (n1)   x/b (n2)   x/c (n2)   svc/echo
x/a (n1)   .          .          .          .
x/b (n2)   .          .          .          X
x/c (n2)   .          .          .          X
`,
  );
});

test("--expect reads a latency matrix as reachability and agrees with the same run", () => {
  const expected = parseExpectedMatrix(formatMatrix(broken, { latency: true }), "latency.txt");
  assert.equal(formatMatrix(toMatrix(expected)), formatMatrix(broken));
  const comparison = compareMatrices(expected, broken);
  assert.equal(formatComparisonSummary(comparison, broken), "reachability: correct 12, incorrect 0\n");
});

test("sources or destinations missing on either side are differences, named as such", () => {
  const fewer: Matrix = { rows: rows.slice(0, 2), columns, cells: broken.cells.slice(0, 2) };
  const comparison = compareMatrices(parseExpectedMatrix(baseline, "baseline.txt"), fewer);
  assert.equal(comparison.incorrect, 5);
  assert.equal(
    formatComparisonSummary(comparison, fewer),
    "reachability: correct 7, incorrect 5 (node n2 sources fail on svc/echo; x/c (n2) were not probed on x/a (n1); x/c (n2) were not probed on x/b (n2); x/c (n2) were not probed on x/c (n2); x/c (n2) were not probed on svc/echo)\n",
  );
  const everyone = matrix([no("refused"), no("refused"), no("refused")]);
  assert.equal(formatComparisonSummary(compareMatrices(parseExpectedMatrix(baseline, "b"), everyone), everyone), "reachability: correct 9, incorrect 3 (all sources fail on svc/echo)\n");
});

test("an --expect file that is not a matrix is refused with the file and line", () => {
  assert.throws(() => parseExpectedMatrix("hello\n", "e.txt"), { message: "--expect file `e.txt` has no matrix (a header line starting with `-`, as reach prints it)" });
  assert.throws(() => parseExpectedMatrix("-   a   b\nr   .\n", "e.txt"), { message: "--expect file `e.txt` line 2 has 1 cells for 2 columns" });
  assert.throws(() => parseExpectedMatrix("-   a\nr   yes\n", "e.txt"), { message: "--expect file `e.txt` line 2: `yes` is not a mark (use ., X or ?)" });
});
