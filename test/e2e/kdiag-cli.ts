// What the CLI's end-to-end tests share on top of test/cluster/kube.ts: run `kubectl kdiag …`
// exactly as a user does (kubectl's plugin discovery finds `kubectl-kdiag` on PATH, a symlink to
// the built bundle), and read what changed in a pod.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { execa, type Options, type Result, type ResultPromise } from "execa";
import { kubeconfigPath, kubectl, kubectlPath, repoRoot } from "../cluster/kube.ts";

export const bundle = path.join(repoRoot, "dist/kubectl-kdiag.js");
/** What npm installs as the executables (cmd/launcher.sh): it starts the bundle. */
export const launcher = path.join(repoRoot, "dist/kubectl-kdiag");

/**
 * A PATH whose `kubectl` is the cluster's and whose `kubectl-kdiag` is the built CLI, with its
 * `kubectl_complete-kdiag` as npm installs it.
 */
function createPluginPath(): { PATH: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), "kdiag-e2e-bin-"));
  symlinkSync(launcher, path.join(dir, "kubectl-kdiag"));
  symlinkSync(launcher, path.join(dir, "kubectl_complete-kdiag"));
  symlinkSync(kubectlPath, path.join(dir, "kubectl"));
  return { PATH: `${dir}:${process.env.PATH}`, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const plugin = createPluginPath();
process.on("exit", plugin.cleanup);

/** The environment of a user of the local cluster, with kdiag installed as a kubectl plugin. */
export const userEnv = { PATH: plugin.PATH, KUBECONFIG: kubeconfigPath, NO_COLOR: "1" };

/** `kubectl kdiag ARGS…` through kubectl's plugin discovery; never rejects. */
export function kdiag(args: string[], options: Options = {}): Promise<Result> {
  assert.ok(existsSync(bundle), `${bundle} is missing: run npm run build`);
  return execa("kubectl", ["kdiag", ...args], { reject: false, stdin: "ignore", ...options, env: { ...userEnv, ...options.env } });
}

export async function getEphemeralContainers(namespace: string, pod: string): Promise<string[]> {
  const { stdout } = await kubectl(["-n", namespace, "get", "pod", pod, "-o", "json"]);
  const json = JSON.parse(stdout) as { spec: { ephemeralContainers?: Array<{ name: string }> } };
  return (json.spec.ephemeralContainers ?? []).map((container) => container.name);
}

/** The note a command prints when --profile auto adds kdiag's container: information, not an error. */
export const profileNote = /^kdiag: profile (privileged|netadmin|baseline|restricted) \(auto: /;

/** The lines of stderr starting with `kdiag:` but auto's profile note, to check an error is exactly one line. */
export function errorLines(stderr: unknown): string[] {
  return String(stderr).split("\n").filter((line) => line.startsWith("kdiag:") && !profileNote.test(line));
}

export interface BackgroundRedir {
  child: ResultPromise;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** Ctrl-C, and the exit code 0 that it must give. */
  stop(): Promise<void>;
}

/** `kubectl kdiag redir ARGS…` left running as in a terminal, once it printed "redirecting". */
export async function startRedirInBackground(args: string[]): Promise<BackgroundRedir> {
  const child = execa("kubectl", ["kdiag", "redir", ...args], { env: userEnv, reject: false, stdin: "ignore" });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!/^redirecting /m.test(output)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redir did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    child,
    output: () => output,
    stop: async () => {
      child.kill("SIGINT");
      assert.equal((await child).exitCode, 0, output);
    },
  };
}

/** The securityContext of kdiag's container under --profile netadmin (auto's pick where admitted). */
export const netadminSecurityContext = {
  allowPrivilegeEscalation: true,
  capabilities: { add: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "SYS_CHROOT"] },
  privileged: false,
  runAsGroup: 0,
  runAsNonRoot: false,
  runAsUser: 0,
};
