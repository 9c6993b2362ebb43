// The executables npm installs start kdiag through cmd/launcher.sh, which keeps NODE_EXTRA_CA_CERTS
// from Node's start (Node would parse the file before every command). Nothing is lost by that: a
// cluster trusted only through that file still works, and the command kdiag runs gets it back.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { scratchPod } from "../cluster/fixtures.ts";
import { apply, clusterDir, createNamespace, ensureCluster, kubectl, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;
let work: string;
let untrustingKubeconfig: string;
const clusterCa = path.join(clusterDir, "pki/ca.crt");

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-launcher");
  await apply(ns.name, [scratchPod()]);
  await waitForPods(ns.name, "app=scratch");
  // The admin user on the same server, with no certificate authority: only the system's roots
  // and NODE_EXTRA_CA_CERTS can vouch for the API server, as for a cluster behind a company's CA.
  work = mkdtempSync(path.join(tmpdir(), "kdiag-launcher-"));
  const { stdout: server } = await kubectl(["config", "view", "-o", "jsonpath={.clusters[0].cluster.server}"]);
  untrustingKubeconfig = path.join(work, "kubeconfig");
  writeFileSync(
    untrustingKubeconfig,
    [
      "apiVersion: v1",
      "kind: Config",
      "clusters: [{name: c, cluster: {server: " + JSON.stringify(server) + "}}]",
      `users: [{name: u, user: {client-certificate: ${JSON.stringify(path.join(clusterDir, "pki/admin.crt"))}, client-key: ${JSON.stringify(path.join(clusterDir, "pki/admin.key"))}}}]`,
      `contexts: [{name: x, context: {cluster: c, user: u, namespace: ${ns.name}}}]`,
      "current-context: x",
      "",
    ].join("\n"),
  );
});
after(async () => {
  await ns?.cleanup();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("a cluster whose authority only NODE_EXTRA_CA_CERTS names works, and the command kdiag runs sees the variables kdiag moved", async () => {
  const result = await kdiag(
    ["logs", "--pod", "scratch", "-d", "1s", "--", "sh", "-c", 'echo "extra=$NODE_EXTRA_CA_CERTS file=$SSL_CERT_FILE dir=$SSL_CERT_DIR invoked-as=$KDIAG_INVOKED_AS"'],
    { env: { KUBECONFIG: untrustingKubeconfig, NODE_EXTRA_CA_CERTS: clusterCa, SSL_CERT_FILE: "/users/own.pem", SSL_CERT_DIR: "/users/own" } },
  );
  assert.equal(result.exitCode, 0, String(result.stderr));
  // The name the launcher passed kdiag is kdiag's alone; the root store's variables are the user's again.
  assert.match(String(result.stdout), new RegExp(`^extra=${clusterCa} file=/users/own.pem dir=/users/own invoked-as=$`, "m"));
});

test("SSL_CERT_FILE naming the cluster's authority does not make kdiag trust it: Node's trust is its roots and NODE_EXTRA_CA_CERTS", async () => {
  // kdiag starts Node with --use-openssl-ca (to build the root store cheaply), which must not let
  // OpenSSL's variables into what a cluster with no authority of its own is checked against.
  const result = await kdiag(["logs", "--pod", "scratch", "-d", "1s", "--", "true"], { env: { KUBECONFIG: untrustingKubeconfig, SSL_CERT_FILE: clusterCa } });
  assert.notEqual(result.exitCode, 0);
  assert.match(String(result.stderr).trim(), /^[^\n]*certificate[^\n]*$/i);
});

test("without NODE_EXTRA_CA_CERTS the same cluster is refused in one line, as Node alone would refuse it", async () => {
  const result = await kdiag(["logs", "--pod", "scratch", "-d", "1s", "--", "true"], { env: { KUBECONFIG: untrustingKubeconfig } });
  assert.notEqual(result.exitCode, 0);
  const lines = String(result.stderr).trim().split("\n");
  assert.equal(lines.length, 1, String(result.stderr));
  assert.match(lines[0] ?? "", /certificate/i);
});

test("a user whose NODE_OPTIONS chooses OpenSSL's store keeps it: SSL_CERT_FILE naming the authority is trusted", async () => {
  const result = await kdiag(["logs", "--pod", "scratch", "-d", "1s", "--", "true"], {
    env: { KUBECONFIG: untrustingKubeconfig, NODE_OPTIONS: "--use-openssl-ca", SSL_CERT_FILE: clusterCa },
  });
  assert.equal(result.exitCode, 0, String(result.stderr));
});
