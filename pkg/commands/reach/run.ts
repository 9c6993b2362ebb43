// `reach`: everything the command line names is looked up and checked first (sources, Services,
// nodes, the --expect file), so bad input creates nothing; then each source pod's manager dials
// every destination, and the matrix is printed. Exit 1 when --expect differs or a source could
// not probe.
import { readFile } from "node:fs/promises";
import type { V1Node, V1Service } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";
import { openKube } from "../../manager-connection.ts";
import { createNetworkApi } from "../../kube/network-api.ts";
import type { Progress } from "../../output/progress.ts";
import type { ReachConfig } from "./config.ts";
import { compareMatrices, formatComparisonSummary, parseExpectedMatrix, toMatrix, type Comparison, type ExpectedMatrix } from "./expect.ts";
import { formatReachJson } from "./format-json.ts";
import { formatFailures, formatHttpAnswers, formatMatrix, formatSummary, type Matrix } from "./matrix.ts";
import { labelPod, planColumns } from "./plan.ts";
import { probeFromSources } from "./probe-sources.ts";
import { findSourcePods } from "./sources.ts";

export interface ReachDeps {
  stdout: { write(chunk: string): unknown };
  progress: Progress;
}

export async function runReach(config: ReachConfig, deps: ReachDeps): Promise<number> {
  const kube = openKube(config);
  const network = createNetworkApi(kube.session);
  const expected = config.expectFile === undefined ? undefined : await readExpectation(config.expectFile);
  deps.progress.update("looking up the source pods and destinations");
  const serviceNames = [...new Set(config.destinations.flatMap((destination) => (destination.kind === "service" || destination.kind === "nodeport" ? [destination.name] : [])))];
  const [found, services, nodes] = await Promise.all([
    findSourcePods(kube.api, config.sources),
    Promise.all(serviceNames.map(async (name): Promise<[string, V1Service]> => [name, await network.getService(name)])),
    config.destinations.some((destination) => destination.kind === "nodeport") ? network.listNodes() : Promise.resolve<V1Node[]>([]),
  ]);
  if (found.length > config.maxSources) {
    throw new KdiagError(
      `${found.length} pods are sources; reach adds kdiag's container to each (it stays until the pod is replaced) — narrow the selection, or pass --max-sources ${found.length}`,
    );
  }
  const sources = found.map((entry) => entry.source);
  const columns = planColumns({
    destinations: config.destinations,
    sources,
    namespace: kube.session.namespace,
    services: new Map(services),
    nodes,
    podPort: config.podPort,
    dns: config.dns,
  });
  const rows = await probeFromSources({ config, kube, sources, columns, progress: deps.progress });
  deps.progress.clear();
  const matrix: Matrix = {
    rows: sources.map((source) => ({ label: labelPod(source), node: source.node })),
    columns: columns.map((column) => ({ label: column.label })),
    cells: rows.map((row) => row.cells),
  };
  const comparison = expected && compareMatrices(expected, matrix);
  deps.stdout.write(config.output === "json" ? formatReachJson({ sources, failures: rows.map((row) => row.failure), columns, matrix, comparison }) : formatTable(config, matrix, expected, comparison));
  const failed = rows.some((row) => row.failure !== undefined);
  return failed || (comparison && comparison.incorrect > 0) ? 1 : 0;
}

function formatTable(config: ReachConfig, matrix: Matrix, expected: ExpectedMatrix | undefined, comparison: Comparison | undefined): string {
  const observed = formatMatrix(matrix, { latency: config.latency });
  const details = [formatFailures(matrix), config.http ? formatHttpAnswers(matrix) : ""].filter(Boolean).join("\n");
  if (!comparison || !expected) return [formatSummary(matrix) + observed, details].filter(Boolean).join("\n");
  return [
    formatComparisonSummary(comparison, matrix) + observed,
    details,
    `expected (${config.expectFile}):\n${formatMatrix(toMatrix(expected))}`,
    `comparison (. as expected, X differs):\n${formatMatrix(comparison.matrix)}`,
  ]
    .filter(Boolean)
    .join("\n");
}

async function readExpectation(file: string): Promise<ExpectedMatrix> {
  const text = await readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    throw new KdiagError(`--expect file \`${file}\` cannot be read (${error.code ?? error.message})`);
  });
  return parseExpectedMatrix(text, file);
}
