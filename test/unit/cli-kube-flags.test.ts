// kubectl's kubeconfig flags: how they are parsed, how they lay over the kubeconfig (client-go's
// precedence), and what reaches the wire, for API calls and for streams alike.
import assert from "node:assert/strict";
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { CoreV1Api } from "@kubernetes/client-node";
import { KdiagError, UsageError } from "../../pkg/errors.ts";
import { loadKubeSession } from "../../pkg/kube/config.ts";
import { parseDuration } from "../../pkg/kube/duration.ts";
import { toKubeOptions, type KubeArgs } from "../../pkg/kube/options.ts";

const dir = mkdtempSync(path.join(tmpdir(), "kdiag-kube-flags-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const noEnv = { HOME: dir };
const load = (args: KubeArgs, env: NodeJS.ProcessEnv = noEnv) => loadKubeSession(toKubeOptions(args), env);
const usage = (message: string) => (error: unknown) => error instanceof UsageError && error.message === message;
const failsWith = (message: string) => (error: unknown) => error instanceof KdiagError && error.message === message;

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const twoClusters = write(
  "two",
  `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: 'https://prod:6443', certificate-authority-data: ${Buffer.from("prod-ca").toString("base64")}, tls-server-name: prod.internal }
- name: staging
  cluster: { server: 'https://staging:6443', insecure-skip-tls-verify: true }
users:
- name: alice
  user: { token: alice-token }
- name: robot
  user:
    exec: { apiVersion: client.authentication.k8s.io/v1, command: /bin/false, interactiveMode: Never }
contexts:
- name: prod
  context: { cluster: prod, user: alice, namespace: shop }
current-context: prod
`,
);

test("every kubectl flag is parsed; --as-group repeats; empty values are as if not given", () => {
  const options = toKubeOptions({
    server: "https://10.0.0.1:6443",
    tlsServerName: "api.internal",
    certificateAuthority: "/ca.crt",
    token: "t",
    clientCertificate: "/c.crt",
    clientKey: "/c.key",
    as: "jane",
    asGroup: ["devs", "ops"],
    asUid: "42",
    cluster: "",
    requestTimeout: "5",
  });
  assert.deepEqual(options.clusterOverrides, { server: "https://10.0.0.1:6443", tlsServerName: "api.internal", certificateAuthority: "/ca.crt" });
  assert.deepEqual(options.userOverrides, { token: "t", clientCertificate: "/c.crt", clientKey: "/c.key" });
  assert.deepEqual(options.impersonate, { user: "jane", groups: ["devs", "ops"], uid: "42" });
  assert.equal(options.cluster, undefined);
  assert.equal(options.requestTimeoutMs, 5000);
});

test("flags kubectl refuses together are usage errors that say what to do", () => {
  assert.throws(() => toKubeOptions({ asGroup: ["devs"] }), usage("--as-group needs --as: name the user to impersonate, e.g. --as jane"));
  assert.throws(() => toKubeOptions({ asUid: "42" }), usage("--as-uid needs --as: name the user to impersonate, e.g. --as jane"));
  assert.throws(
    () => toKubeOptions({ certificateAuthority: "/ca", insecureSkipTlsVerify: true }),
    usage("--certificate-authority and --insecure-skip-tls-verify cannot be used together; choose one"),
  );
});

test("--request-timeout reads kubectl's durations: 0, a bare number of seconds, Go's units", () => {
  assert.equal(parseDuration("0", "--request-timeout"), 0);
  assert.equal(parseDuration("5", "--request-timeout"), 5000);
  assert.equal(parseDuration("5s", "--request-timeout"), 5000);
  assert.equal(parseDuration("1m", "--request-timeout"), 60_000);
  assert.equal(parseDuration("1.5h", "--request-timeout"), 5_400_000);
  assert.equal(parseDuration("1m30s", "--request-timeout"), 90_000);
  assert.equal(parseDuration("250ms", "--request-timeout"), 250);
  assert.equal(parseDuration("1500us", "--request-timeout"), 1.5);
  assert.equal(parseDuration("2000000ns", "--request-timeout"), 2);
  for (const bad of ["-5s", "5 s", "s", "5d", "1.5", "1m30"]) {
    assert.throws(() => parseDuration(bad, "--request-timeout"), usage(`--request-timeout \`${bad}\` is not a duration (examples: 30s, 2m, 1m30s, 500ms)`));
  }
});

test("--cluster and --user pick the kubeconfig's instead of the context's; unknown names list the known ones", () => {
  const session = load({ kubeconfig: twoClusters, cluster: "staging", user: "robot" });
  assert.equal(session.kc.getCurrentCluster()?.server, "https://staging:6443");
  assert.equal(session.kc.getCurrentUser()?.exec?.command, "/bin/false");
  assert.equal(session.namespace, "shop", "the namespace is still the context's");
  assert.throws(() => load({ kubeconfig: twoClusters, cluster: "dev" }), failsWith(`cluster \`dev\` (from --cluster) is not in kubeconfig \`${twoClusters}\`; its clusters: prod, staging`));
  assert.throws(() => load({ kubeconfig: twoClusters, user: "bob" }), failsWith(`user \`bob\` (from --user) is not in kubeconfig \`${twoClusters}\`; its users: alice, robot`));
});

test("--server replaces the address and drops the kubeconfig's tls-server-name; --tls-server-name sets it", () => {
  assert.equal(load({ kubeconfig: twoClusters }).kc.getCurrentCluster()?.tlsServerName, "prod.internal");
  const moved = load({ kubeconfig: twoClusters, server: "https://10.0.0.9:6443" }).kc.getCurrentCluster();
  assert.equal(moved?.server, "https://10.0.0.9:6443");
  assert.equal(moved?.tlsServerName, undefined);
  assert.equal(moved?.caData, Buffer.from("prod-ca").toString("base64"), "the CA stays");
  assert.equal(load({ kubeconfig: twoClusters, tlsServerName: "other.internal" }).kc.getCurrentCluster()?.tlsServerName, "other.internal");
});

test("--certificate-authority replaces the kubeconfig's CA and its skip; --insecure-skip-tls-verify drops the CA", () => {
  const ca = load({ kubeconfig: twoClusters, cluster: "staging", certificateAuthority: "/etc/ca.crt" }).kc.getCurrentCluster();
  assert.equal(ca?.caFile, "/etc/ca.crt");
  assert.equal(ca?.skipTLSVerify, false);
  const insecure = load({ kubeconfig: twoClusters, insecureSkipTlsVerify: true }).kc.getCurrentCluster();
  assert.equal(insecure?.skipTLSVerify, true);
  assert.equal(insecure?.caData, undefined);
});

test("--token wins over the user's credentials, an exec plugin's included; client certificate flags replace the user's", async () => {
  const cert = write("c.crt", "not a real certificate");
  const key = write("c.key", "not a real key");
  const session = load({ kubeconfig: twoClusters, user: "robot", token: "flag-token", clientCertificate: cert, clientKey: key });
  const user = session.kc.getCurrentUser();
  assert.equal(user?.certFile, cert);
  assert.equal(user?.keyFile, key);
  const options: { headers?: Record<string, string> } = {};
  // The plugin is /bin/false: were it run, this would fail.
  await session.kc.applyToHTTPSOptions(options);
  assert.equal(options.headers?.Authorization, "Bearer flag-token");
});

test("with --server the flags alone describe the cluster: no kubeconfig needed, as with kubectl", () => {
  const session = load({ server: "https://10.0.0.1:6443", token: "t", namespace: "team" });
  assert.equal(session.kc.getCurrentCluster()?.server, "https://10.0.0.1:6443");
  assert.equal(session.kc.getCurrentUser()?.token, "t");
  assert.equal(session.namespace, "team");
  assert.throws(() => load({ token: "t" }), failsWith(`no kubeconfig: ${path.join(dir, ".kube", "config")} does not exist and KUBECONFIG is not set; pass --kubeconfig or set KUBECONFIG`));
});

test("KUBECONFIG lists merge as kubectl merges them: the first file to set a value wins", () => {
  const second = write(
    "second",
    `apiVersion: v1
kind: Config
clusters:
- name: prod
  cluster: { server: 'https://elsewhere:6443' }
- name: extra
  cluster: { server: 'https://extra:6443' }
users:
- name: alice
  user: { token: other-token }
contexts:
- name: extra
  context: { cluster: extra, user: alice }
current-context: extra
`,
  );
  const session = load({}, { HOME: dir, KUBECONFIG: `${twoClusters}:${second}` });
  assert.equal(session.context, "prod");
  assert.equal(session.kc.getCurrentCluster()?.server, "https://prod:6443");
  assert.equal(session.kc.getCurrentUser()?.token, "alice-token");
  assert.equal(load({ context: "extra" }, { HOME: dir, KUBECONFIG: `${twoClusters}:${second}` }).kc.getCurrentCluster()?.server, "https://extra:6443");
});

test("impersonation reaches streams as one header per group (what ws and http send), and --as replaces the kubeconfig's as:", async () => {
  const session = load({ kubeconfig: twoClusters, as: "jane", asGroup: ["devs", "ops"], asUid: "42", requestTimeout: "7s" });
  const options: { headers?: Record<string, unknown>; handshakeTimeout?: number } = {};
  await session.kc.applyToHTTPSOptions(options);
  assert.equal(options.headers?.["Impersonate-User"], "jane");
  assert.deepEqual(options.headers?.["Impersonate-Group"], ["devs", "ops"]);
  assert.equal(options.headers?.["Impersonate-Uid"], "42");
  assert.equal(options.headers?.Authorization, "Bearer alice-token");
  assert.equal(options.handshakeTimeout, 7000, "--request-timeout bounds a stream's opening");
  // The watch's request: node-fetch's Headers, which send one line per value.
  const { headers } = await session.kc.applyToFetchOptions({});
  assert.deepEqual((headers as unknown as { raw(): Record<string, string[]> }).raw()["Impersonate-Group"], ["devs", "ops"]);
});

test("an API call sends each impersonated group as a header of its own", async () => {
  const seen: string[][] = [];
  const server = http.createServer((request, response) => {
    const groups: string[] = [];
    for (let i = 0; i < request.rawHeaders.length; i += 2) {
      if (request.rawHeaders[i]?.toLowerCase() === "impersonate-group") groups.push(request.rawHeaders[i + 1] ?? "");
    }
    seen.push(groups, [String(request.headers["impersonate-user"]), String(request.headers["impersonate-uid"])]);
    response.setHeader("content-type", "application/json");
    response.end(JSON.stringify({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }));
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  try {
    const port = (server.address() as AddressInfo).port;
    // http:// is allowed by client-node only with skip-verify; nothing here is TLS anyway.
    const session = load({ server: `http://127.0.0.1:${port}`, insecureSkipTlsVerify: true, as: "jane", asGroup: ["devs", "ops"], asUid: "42" });
    const pod = await session.kc.makeApiClient(CoreV1Api).readNamespacedPod({ name: "p", namespace: "default" });
    assert.equal(pod.metadata?.name, "p");
    assert.deepEqual(seen, [["devs", "ops"], ["jane", "42"]]);
  } finally {
    server.close();
  }
});
