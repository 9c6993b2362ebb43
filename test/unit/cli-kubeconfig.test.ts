import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, test } from "node:test";
import { loadKubeSession } from "../../pkg/kube/config.ts";
import { KdiagError, UsageError } from "../../pkg/errors.ts";
import { toKubeOptions, type KubeArgs } from "../../pkg/kube/options.ts";

const dir = mkdtempSync(path.join(tmpdir(), "kdiag-kubeconfig-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function writeKubeconfig(name: string, contexts: Array<{ name: string; namespace?: string }>, current?: string): string {
  const file = path.join(dir, name);
  const lines = [
    "apiVersion: v1",
    "kind: Config",
    "clusters:",
    "- name: local",
    "  cluster: { server: 'https://127.0.0.1:6443', insecure-skip-tls-verify: true }",
    "users:",
    "- name: admin",
    "  user: { token: secret }",
    "contexts:",
    ...contexts.map((c) => `- name: ${c.name}\n  context: { cluster: local, user: admin${c.namespace ? `, namespace: ${c.namespace}` : ""} }`),
    ...(current ? [`current-context: ${current}`] : []),
  ];
  writeFileSync(file, lines.join("\n") + "\n");
  return file;
}

const failsWith = (message: string) => (error: unknown) => error instanceof KdiagError && error.message === message;
const noEnv = { HOME: dir };
const load = (args: KubeArgs, env: NodeJS.ProcessEnv) => loadKubeSession(toKubeOptions(args), env);

test("the namespace defaults to the context's, then to default; -n wins", () => {
  const file = writeKubeconfig("a", [{ name: "dev", namespace: "team" }, { name: "plain" }], "dev");
  assert.equal(load({ kubeconfig: file }, noEnv).namespace, "team");
  assert.equal(load({ kubeconfig: file, context: "plain" }, noEnv).namespace, "default");
  assert.equal(load({ kubeconfig: file, namespace: "other" }, noEnv).namespace, "other");
});

test("KUBECONFIG is honoured, and files it lists that do not exist are skipped", () => {
  const file = writeKubeconfig("b", [{ name: "from-env" }], "from-env");
  const session = load({}, { HOME: dir, KUBECONFIG: `${path.join(dir, "missing")}:${file}` });
  assert.equal(session.context, "from-env");
});

test("a missing kubeconfig is one line that says what to do", () => {
  assert.throws(
    () => load({ kubeconfig: "/nonexistent/kubeconfig" }, noEnv),
    failsWith("kubeconfig `/nonexistent/kubeconfig` (from --kubeconfig) does not exist; pass the path of a kubeconfig file"),
  );
  assert.throws(
    () => load({}, { HOME: dir, KUBECONFIG: "/nonexistent/a" }),
    failsWith("no kubeconfig: none of the files in KUBECONFIG (`/nonexistent/a`) exists; fix KUBECONFIG or pass --kubeconfig"),
  );
  assert.throws(
    () => load({}, noEnv),
    failsWith(`no kubeconfig: ${path.join(dir, ".kube", "config")} does not exist and KUBECONFIG is not set; pass --kubeconfig or set KUBECONFIG`),
  );
});

test("an unknown context lists the contexts there are", () => {
  const file = writeKubeconfig("c", [{ name: "one" }, { name: "two" }], "one");
  assert.throws(
    () => load({ kubeconfig: file, context: "three" }, noEnv),
    failsWith(`context \`three\` (from --context) is not in kubeconfig \`${file}\`; its contexts: one, two`),
  );
  const noCurrent = writeKubeconfig("d", [{ name: "one" }]);
  assert.throws(
    () => load({ kubeconfig: noCurrent }, noEnv),
    failsWith(`kubeconfig \`${noCurrent}\` sets no current context; pass --context (its contexts: one)`),
  );
});

test("--as sends the Impersonate-User header on every request", async () => {
  const file = writeKubeconfig("e", [{ name: "one" }], "one");
  const session = load({ kubeconfig: file, as: "system:serviceaccount:team:viewer" }, noEnv);
  const options: { headers?: Record<string, string> } = {};
  await session.kc.applyToHTTPSOptions(options);
  assert.equal(options.headers?.["Impersonate-User"], "system:serviceaccount:team:viewer");
  assert.equal(options.headers?.Authorization, "Bearer secret");
});
