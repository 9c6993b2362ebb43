// Long-running kubectl commands for tests: follow a log until lines appear, hold a port-forward.
import type { ChildProcess } from "node:child_process";
import { once } from "node:events";
import { spawnKubectl } from "./kube.ts";

export interface Follower {
  /** Resolves with all output so far when PREDICATE holds for it; rejects after TIMEOUTMS. */
  waitFor(predicate: (output: string) => boolean, what: string, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

function collect(child: ChildProcess): { output: () => string; errors: () => string } {
  let out = "";
  let err = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (out += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (err += chunk));
  return { output: () => out, errors: () => err };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** `kubectl ARGS` (e.g. logs -f …), its stdout collected. */
export function follow(args: string[]): Follower {
  const child = spawnKubectl(args);
  const { output, errors } = collect(child);
  return {
    waitFor: async (predicate, what, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(output())) {
        if (child.exitCode !== null) {
          throw new Error(`kubectl ${args.join(" ")} exited (${child.exitCode}) before ${what}: ${errors()}`);
        }
        if (Date.now() > deadline) {
          throw new Error(`no ${what} within ${timeoutMs / 1000} s; output: ${JSON.stringify(output().slice(-600))} ${errors()}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      return output();
    },
    stop: () => stopChild(child),
  };
}

export interface PortForward {
  localPort: number;
  stop(): Promise<void>;
}

/** `kubectl port-forward -n NAMESPACE pod/POD :REMOTE`, resolved once it listens locally. */
export async function portForward(namespace: string, pod: string, remotePort: number): Promise<PortForward> {
  const child = spawnKubectl(["-n", namespace, "port-forward", `pod/${pod}`, `:${remotePort}`, "--address", "127.0.0.1"]);
  const { output, errors } = collect(child);
  const deadline = Date.now() + 30_000;
  let match: RegExpMatchArray | null = null;
  while (!(match = output().match(/Forwarding from 127\.0\.0\.1:(\d+) ->/))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`kubectl port-forward to ${namespace}/${pod}:${remotePort} did not start: ${errors()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { localPort: Number(match[1]), stop: () => stopChild(child) };
}
