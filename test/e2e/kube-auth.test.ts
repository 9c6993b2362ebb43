// How users authenticate as kubectl does, on the project's cluster: a kubeconfig user whose token
// comes from an exec credential plugin (as EKS, GKE and AKS do), a client certificate given only
// by flags, and --as/--as-group impersonation. Each runs the streaming commands too (shell: exec;
// redir: port-forward; logs: watch and follow), which client-node opens over their own connections.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { clientPod, scratchPod, serverPort } from "../cluster/fixtures.ts";
import { apply, clusterDir, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, kdiag, startRedirInBackground } from "./kdiag-cli.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";

let ns: TestNamespace;
let local: LocalServer;
const dir = mkdtempSync(path.join(tmpdir(), "kdiag-e2e-auth-"));
const pki = path.join(clusterDir, "pki");
const certUser = `kdiag-cert-user-${randomBytes(3).toString("hex")}`;
const group = "kdiag-debuggers";
/** The plugin writes a line here each time kubectl kdiag runs it. */
const pluginRuns = path.join(dir, "plugin-runs");
let pluginKubeconfig = "";
let server = "";

/** What kdiag needs in the namespace (README, Permissions), for a ServiceAccount, a user and a group. */
function debuggerRbac(namespace: string): object[] {
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "plugin-user" } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "kdiag" },
      rules: [
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] },
        { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
        { apiGroups: [""], resources: ["pods/exec", "pods/portforward"], verbs: ["create", "get"] },
        { apiGroups: [""], resources: ["pods/ephemeralcontainers"], verbs: ["patch"] },
        { apiGroups: [""], resources: ["events"], verbs: ["list"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "kdiag" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "kdiag" },
      subjects: [
        { kind: "ServiceAccount", name: "plugin-user", namespace },
        { apiGroup: "rbac.authorization.k8s.io", kind: "User", name: certUser },
        { apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group },
      ],
    },
  ];
}

/** A kubeconfig whose only user runs `plugin`, an executable printing an ExecCredential. */
async function writePluginKubeconfig(token: string): Promise<string> {
  const plugin = path.join(dir, "credential-plugin");
  const credential = JSON.stringify({ apiVersion: "client.authentication.k8s.io/v1", kind: "ExecCredential", status: { token } });
  writeFileSync(plugin, `#!/bin/sh\necho run >> '${pluginRuns}'\ncat <<'EOF'\n${credential}\nEOF\n`);
  chmodSync(plugin, 0o755);
  const file = path.join(dir, "plugin-kubeconfig");
  const config = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "local", cluster: { server, "certificate-authority": path.join(pki, "ca.crt") } }],
    users: [{ name: "plugin", user: { exec: { apiVersion: "client.authentication.k8s.io/v1", command: plugin, interactiveMode: "Never" } } }],
    contexts: [{ name: "plugin", context: { cluster: "local", user: "plugin", namespace: ns.name } }],
    "current-context": "plugin",
  };
  writeFileSync(file, JSON.stringify(config));
  return file;
}

/** A client certificate for `user`, signed by the cluster's CA. */
async function issueCertificate(user: string): Promise<{ cert: string; key: string }> {
  const key = path.join(dir, `${user}.key`);
  const csr = path.join(dir, `${user}.csr`);
  const cert = path.join(dir, `${user}.crt`);
  await execa("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key, "-subj", `/CN=${user}`, "-out", csr]);
  await execa("openssl", ["x509", "-req", "-in", csr, "-CA", path.join(pki, "ca.crt"), "-CAkey", path.join(pki, "ca.key"), "-set_serial", `0x1${randomBytes(8).toString("hex")}`, "-days", "1", "-out", cert]);
  return { cert, key };
}

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-auth");
  server = (await kubectl(["config", "view", "--minify", "-o", "jsonpath={.clusters[0].cluster.server}"])).stdout.trim();
  await apply(ns.name, [...debuggerRbac(ns.name), scratchPod()]);
  await waitForPods(ns.name, "app=scratch");
  await apply(ns.name, [clientPod({ name: "client", target: `${await podIP(ns.name, "scratch")}:${serverPort}`, intervalSeconds: 0.3 })]);
  await waitForPods(ns.name, "pod/client");
  const token = (await kubectl(["-n", ns.name, "create", "token", "plugin-user", "--duration", "1h"])).stdout.trim();
  pluginKubeconfig = await writePluginKubeconfig(token);
  local = await startLocalServer();
});
after(async () => {
  await local?.close();
  await ns?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const pluginRunCount = () => (existsSync(pluginRuns) ? readFileSync(pluginRuns, "utf8").split("\n").filter(Boolean).length : 0);

test("a user whose kubeconfig runs an exec credential plugin opens a shell (exec) in a pod", async () => {
  const before = pluginRunCount();
  const result = await kdiag(["shell", "--kubeconfig", pluginKubeconfig, "--pod", "scratch", "--", "-c", "echo shell-as-$((6*7))"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(String(result.stdout).trim(), "shell-as-42");
  assert.ok(pluginRunCount() > before, "the credential plugin ran");
});

test("the same user lists the pod's processes with ps", async () => {
  const result = await kdiag(["ps", "--kubeconfig", pluginKubeconfig, "--pod", "scratch"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /\n1 +0 +server .*:8080\/tcp/);
});

test("the same user follows a pod's log around a command (watch and log follow)", async () => {
  const result = await kdiag(["logs", "--kubeconfig", pluginKubeconfig, "--pod", "client", "-d", "2s", "--", "sleep", "1"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.match(String(result.stdout), /hello from scratch/);
});

test("the same user redirects the pod's port to a local server (port-forward)", async () => {
  const redir = await startRedirInBackground(["--kubeconfig", pluginKubeconfig, "--pod", "scratch", `${serverPort}:${local.port}`]);
  try {
    const deadline = Date.now() + 30_000;
    while (local.requests.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    assert.ok(local.requests.length > 0, `the client pod's requests reached the local server:\n${redir.output()}`);
  } finally {
    await redir.stop();
  }
});

test("a client certificate given by flags alone, with no kubeconfig, works for ps and shell", async () => {
  const { cert, key } = await issueCertificate(certUser);
  const flags = ["--server", server, "--certificate-authority", path.join(pki, "ca.crt"), "--client-certificate", cert, "--client-key", key, "-n", ns.name];
  const noKubeconfig = { env: { KUBECONFIG: "", HOME: dir } };
  const ps = await kdiag(["ps", ...flags, "--pod", "scratch"], noKubeconfig);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  const shell = await kdiag(["shell", ...flags, "--pod", "scratch", "--", "-c", "echo cert-ok"], noKubeconfig);
  assert.equal(shell.exitCode, 0, String(shell.stderr));
  assert.equal(String(shell.stdout).trim(), "cert-ok");
  // The certificate is the identity: a user the Role does not name is refused.
  const { cert: otherCert, key: otherKey } = await issueCertificate(`${certUser}-unbound`);
  const refused = await kdiag(["ps", "--server", server, "--certificate-authority", path.join(pki, "ca.crt"), "--client-certificate", otherCert, "--client-key", otherKey, "-n", ns.name, "--pod", "scratch"], noKubeconfig);
  assert.equal(refused.exitCode, 1);
  assert.equal(String(refused.stderr), `kdiag: user \`${certUser}-unbound\` is not allowed to get pods in namespace \`${ns.name}\` (pod \`scratch\`); ask a cluster admin for \`get\` on \`pods\``);
});

test("--as a user without RBAC is refused in one line naming the permission", async () => {
  const result = await kdiag(["ps", "-n", ns.name, "--pod", "scratch", "--as", "kdiag-nobody"]);
  assert.equal(result.exitCode, 1);
  assert.equal(String(result.stderr), `kdiag: user \`kdiag-nobody\` is not allowed to get pods in namespace \`${ns.name}\` (pod \`scratch\`); ask a cluster admin for \`get\` on \`pods\``);
  assert.equal(errorLines(result.stderr).length, 1);
});

test("--as with --as-group of a bound group works, each group sent on its own, for a shell too", async () => {
  // Two groups: joined into one header value they would be the one group "other,kdiag-debuggers".
  const as = ["--as", "kdiag-someone", "--as-group", "other", "--as-group", group];
  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "scratch", ...as]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  const shell = await kdiag(["shell", "-n", ns.name, "--pod", "scratch", ...as, "--", "-c", "echo as-group-ok"]);
  assert.equal(shell.exitCode, 0, String(shell.stderr));
  assert.equal(String(shell.stdout).trim(), "as-group-ok");
  const logs = await kdiag(["logs", "-n", ns.name, "--pod", "client", ...as, "-d", "1s", "--", "sleep", "1"]);
  assert.equal(logs.exitCode, 0, String(logs.stderr));
  assert.match(String(logs.stdout), /hello from scratch/);
});

test("a usage error prints the reason and one line pointing at the command's help, and exits 2", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "scratch", "-l", "app=scratch"]);
  assert.equal(result.exitCode, 2);
  assert.equal(result.stdout, "");
  assert.equal(result.stderr, "kdiag: --pod and -l cannot be used together; choose one\nSee 'kubectl kdiag shell --help' for usage.");
});
