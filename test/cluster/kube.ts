// The local cluster as tests see it: where its kubeconfig and kubectl are, a kubectl runner,
// a check that fails with the reason when the cluster is not reachable, and test namespaces that
// are ready for pods (their default ServiceAccount exists) and are deleted afterwards.
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export const repoRoot = path.resolve(import.meta.dirname, "../..");
export const clusterDir = path.join(repoRoot, ".cluster");
export const kubeconfigPath = path.join(clusterDir, "kubeconfig");
export const kubectlPath = path.join(clusterDir, "bin/kubectl");
export const kubeVersion = "v1.34.4";
/** Node 1, where the fixtures' pods run unless told otherwise. */
export const nodeName = "kdiag-node";

/** The nodes cluster:up started (`--nodes N`, recorded in .cluster/nodes): kdiag-node, kdiag-node-2, … */
export function clusterNodeNames(): string[] {
  const file = path.join(clusterDir, "nodes");
  const count = existsSync(file) ? Number(readFileSync(file, "utf8").trim()) : 1;
  return Array.from({ length: count }, (_, index) => (index === 0 ? nodeName : `${nodeName}-${index + 1}`));
}

/** The images cluster:up builds and imports; pull them with policy Never or IfNotPresent. */
export const images = {
  server: "kdiag-test/server:v1",
  busybox: "kdiag-test/busybox:v1",
  client: "kdiag-test/client:v1",
  hostile: "kdiag-test/hostile:v1",
  pause: "kdiag/pause:3.10",
} as const;

/** The manager image cluster:up builds from dist/: KDIAG_IMAGE, as the build stamps it, else
 * kdiag/manager:v<package.json version>. */
export const managerImage =
  process.env.KDIAG_IMAGE ??
  `kdiag/manager:v${(JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string }).version}`;

export interface KubectlOptions {
  /** Written to kubectl's stdin (e.g. a manifest for `apply -f -`). */
  input?: string;
  /** Milliseconds before kubectl is killed; default 60 s. */
  timeoutMs?: number;
  /** Resolve with the result instead of rejecting when kubectl exits non-zero. */
  allowFailure?: boolean;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** The environment for a kubectl (or `kubectl kdiag`) of the local cluster. */
export function kubectlEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, KUBECONFIG: kubeconfigPath, ...extra };
}

/** Runs the cluster's own kubectl with the admin kubeconfig; rejects with stderr on failure. */
export function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      kubectlPath,
      ["--kubeconfig", kubeconfigPath, ...args],
      { env: kubectlEnv(), timeout: options.timeoutMs ?? 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const exitCode = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        const result = { stdout: String(stdout), stderr: String(stderr), exitCode };
        if (exitCode !== 0 && !options.allowFailure) {
          reject(new Error(`kubectl ${args.join(" ")} failed (exit ${exitCode}): ${result.stderr.trim() || error?.message}`));
        } else {
          resolve(result);
        }
      },
    );
    child.stdin?.end(options.input ?? "");
  });
}

/** Starts a long-running kubectl (logs -f, port-forward, …); the caller stops it. */
export function spawnKubectl(args: string[]): ChildProcess {
  return spawn(kubectlPath, ["--kubeconfig", kubeconfigPath, ...args], {
    env: kubectlEnv(),
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** Throws with the reason (and the fix) when the local cluster is not up and Ready. */
export async function ensureCluster(): Promise<void> {
  const start = "start it with `npm run cluster:up`";
  if (!existsSync(kubectlPath)) throw new Error(`the local cluster is not set up: ${kubectlPath} is missing; ${start}`);
  if (!existsSync(kubeconfigPath)) throw new Error(`the local cluster is not set up: ${kubeconfigPath} is missing; ${start}`);
  const ready = await kubectl(["get", "--raw", "/readyz"], { allowFailure: true, timeoutMs: 20_000 });
  if (ready.exitCode !== 0) {
    throw new Error(`the local cluster's API server is not reachable (${ready.stderr.trim()}); ${start}`);
  }
  const node = await kubectl(
    ["get", "node", nodeName, "-o", 'jsonpath={.status.conditions[?(@.type=="Ready")].status}'],
    { allowFailure: true },
  );
  if (node.stdout !== "True") {
    throw new Error(`the local cluster's node ${nodeName} is not Ready (${node.stdout || node.stderr.trim()}); ${start}`);
  }
}

export interface TestNamespace {
  name: string;
  /** Deletes the namespace and everything in it, without waiting for it to be gone. */
  cleanup(): Promise<void>;
}

/**
 * Creates a namespace named PREFIX-<random> with LABELS (e.g. a PodSecurity level) and waits for
 * its default ServiceAccount, without which the API server refuses pods.
 */
export async function createNamespace(prefix: string, labels: Record<string, string> = {}): Promise<TestNamespace> {
  const name = `${prefix}-${randomBytes(3).toString("hex")}`;
  await kubectl(["apply", "-f", "-"], {
    input: JSON.stringify({ apiVersion: "v1", kind: "Namespace", metadata: { name, labels } }),
  });
  const deadline = Date.now() + 30_000;
  while ((await kubectl(["-n", name, "get", "serviceaccount", "default"], { allowFailure: true })).exitCode !== 0) {
    if (Date.now() > deadline) throw new Error(`namespace ${name} got no default ServiceAccount within 30 s`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return {
    name,
    cleanup: async () => {
      await kubectl(["delete", "namespace", name, "--wait=false", "--ignore-not-found"]);
    },
  };
}

/** Applies manifests (objects or YAML/JSON text) in NAMESPACE. */
export async function apply(namespace: string, manifests: object[] | string): Promise<void> {
  const input = typeof manifests === "string" ? manifests : JSON.stringify({ apiVersion: "v1", kind: "List", items: manifests });
  await kubectl(["-n", namespace, "apply", "-f", "-"], { input });
}

/** Waits until every pod matching SELECTOR (e.g. `app=server` or `pod/name`) is Ready. */
export async function waitForPods(namespace: string, selector: string, timeoutSeconds = 90): Promise<void> {
  const target = selector.includes("=") ? ["pod", "-l", selector] : [selector];
  await kubectl(["-n", namespace, "wait", "--for=condition=Ready", ...target, `--timeout=${timeoutSeconds}s`], {
    timeoutMs: (timeoutSeconds + 10) * 1000,
  });
}

/** Waits until the Service's EndpointSlices list COUNT ready addresses (kube-proxy follows within its sync period). */
export async function waitForEndpoints(namespace: string, service: string, count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { stdout } = await kubectl(["-n", namespace, "get", "endpointslices", "-l", `kubernetes.io/service-name=${service}`,
      "-o", "jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.addresses[0]} {end}"]);
    if (new Set(stdout.trim().split(" ").filter(Boolean)).size >= count) return;
    if (Date.now() > deadline) throw new Error(`Service ${service} has no ${count} ready endpoints within 30 s: ${stdout}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A Service's ClusterIP. */
export async function serviceClusterIP(namespace: string, service: string): Promise<string> {
  const result = await kubectl(["-n", namespace, "get", "service", service, "-o", "jsonpath={.spec.clusterIP}"]);
  return result.stdout.trim();
}

/** A pod's IP address. */
export async function podIP(namespace: string, pod: string): Promise<string> {
  const result = await kubectl(["-n", namespace, "get", "pod", pod, "-o", "jsonpath={.status.podIP}"]);
  return result.stdout;
}
