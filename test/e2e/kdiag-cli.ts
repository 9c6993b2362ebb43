// What the CLI's end-to-end tests share: run `kubectl kdiag …` exactly as a user does (kubectl's
// plugin discovery finds `kubectl-kdiag` on PATH, a symlink to the built bundle), a namespace per
// test file with our own small fixture pods, and reads of what changed in the cluster.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa, type Options, type Result } from "execa";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const kubeconfig = path.join(repoRoot, ".cluster/kubeconfig");
export const kubectlPath = path.join(repoRoot, ".cluster/bin/kubectl");
export const bundle = path.join(repoRoot, "dist/kubectl-kdiag.js");
export const serverImage = "kdiag-test/server:v1";

/** A PATH whose `kubectl` is the cluster's and whose `kubectl-kdiag` is the built CLI. */
export function createPluginPath(): { PATH: string; cleanup: () => void } {
  assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build`);
  const dir = mkdtempSync(path.join(tmpdir(), "kdiag-e2e-bin-"));
  symlinkSync(bundle, path.join(dir, "kubectl-kdiag"));
  symlinkSync(kubectlPath, path.join(dir, "kubectl"));
  return { PATH: `${dir}:${process.env.PATH}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const plugin = createPluginPath();
process.on("exit", plugin.cleanup);

export const userEnv = { PATH: plugin.PATH, KUBECONFIG: kubeconfig, NO_COLOR: "1" };

/** `kubectl kdiag ARGS…` through kubectl's plugin discovery; never rejects. */
export function kdiag(args: string[], options: Options = {}): Promise<Result> {
  return execa("kubectl", ["kdiag", ...args], { reject: false, stdin: "ignore", ...options, env: { ...userEnv, ...options.env } });
}

export async function kubectl(args: string[], options: Options = {}): Promise<string> {
  const result = await execa(kubectlPath, args, { env: { KUBECONFIG: kubeconfig }, ...options });
  return String(result.stdout);
}

/** Fails (never skips) with the reason when the project's cluster cannot be reached. */
export async function requireCluster(): Promise<void> {
  assert.ok(existsSync(kubeconfig), `no local cluster: ${kubeconfig} is missing; start it with npm run cluster:up`);
  const result = await execa(kubectlPath, ["get", "--raw", "/readyz"], { env: { KUBECONFIG: kubeconfig }, reject: false, timeout: 20_000 });
  assert.equal(result.exitCode, 0, `the local cluster is unreachable (npm run cluster:up): ${result.stderr}`);
}

export interface TestNamespace {
  name: string;
  delete(): Promise<void>;
}

export async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<TestNamespace> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await kubectl(["create", "namespace", name]);
  const pairs = Object.entries(labels).map(([key, value]) => `${key}=${value}`);
  if (pairs.length > 0) await kubectl(["label", "namespace", name, ...pairs]);
  return { name, delete: () => kubectl(["delete", "namespace", name, "--wait=false"]).then(() => undefined) };
}

export interface ContainerFixture {
  name: string;
  port: number;
}

/** A pod of scratch-image static servers (no shell, nothing else in their root). */
export function serverPod(name: string, labels: Record<string, string>, containers: ContainerFixture[]): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels },
    spec: {
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: containers.map((container) => ({
        name: container.name,
        image: serverImage,
        imagePullPolicy: "Never",
        args: [String(container.port)],
      })),
    },
  };
}

export async function createPods(namespace: string, pods: object[]): Promise<void> {
  await kubectl(["apply", "-n", namespace, "-f", "-"], { input: JSON.stringify({ apiVersion: "v1", kind: "List", items: pods }) });
  await kubectl(["wait", "-n", namespace, "--for=condition=Ready", "pod", "--all", "--timeout=120s"]);
}

export async function getEphemeralContainers(namespace: string, pod: string): Promise<string[]> {
  const json = JSON.parse(await kubectl(["get", "pod", "-n", namespace, pod, "-o", "json"]));
  return (json.spec.ephemeralContainers ?? []).map((container: { name: string }) => container.name);
}

/** The lines of stderr starting with `kdiag:`, to check an error is exactly one line. */
export function errorLines(stderr: unknown): string[] {
  return String(stderr).split("\n").filter((line) => line.startsWith("kdiag:"));
}
