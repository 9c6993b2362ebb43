// Bad port pairs for `kubectl kdiag redir` on the project's cluster: each is one `kdiag:` line
// after the usage, exit 2, and the pod is left as it was (no kdiag container added).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { serverPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, getEphemeralContainers, kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-redir-errors");
  await apply(ns.name, [serverPod({ name: "web" })]);
  await waitForPods(ns.name, "pod/web");
});
after(async () => ns?.cleanup());

const hint = "use PODPORT[:LOCALPORT], e.g. `80` or `80:8080`";
const cases: Array<[string, string]> = [
  ["0", "port `0` in `0` is out of range (1–65535)"],
  ["70000", "port `70000` in `70000` is out of range (1–65535)"],
  ["80:70000", "port `70000` in `80:70000` is out of range (1–65535)"],
  ["abc", `port \`abc\` in \`abc\` is not a number; ${hint}`],
  ["1:2:3", `port pair \`1:2:3\` has 3 parts; ${hint}`],
];

for (const [pair, message] of cases) {
  test(`redir refuses the port pair ${pair} in one line and leaves the pod alone`, async () => {
    const result = await kdiag(["redir", "-n", ns.name, "--pod", "web", pair]);
    assert.equal(result.exitCode, 2, String(result.stderr));
    assert.deepEqual(errorLines(result.stderr), [`kdiag: ${message}`]);
    assert.equal(result.stderr, `kdiag: ${message}\nSee 'kubectl kdiag redir --help' for usage.`, "the reason, then where the usage is");
    assert.deepEqual(await getEphemeralContainers(ns.name, "web"), []);
  });
}

test("redir --outgoing without ports says which ports to give", async () => {
  const result = await kdiag(["redir", "-n", ns.name, "--pod", "web", "--outgoing"]);
  assert.equal(result.exitCode, 2);
  assert.equal(errorLines(result.stderr).length, 1);
  assert.match(errorLines(result.stderr)[0] ?? "", /^kdiag: --outgoing needs the ports to take over/);
});

test("logs without -l or --pod is a usage error naming both", async () => {
  const result = await kdiag(["logs", "-n", ns.name, "--", "true"]);
  assert.equal(result.exitCode, 2);
  assert.deepEqual(errorLines(result.stderr), ["kdiag: logs needs pods to follow; give -l SELECTOR or --pod NAME (each may repeat)"]);
});
