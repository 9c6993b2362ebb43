// `shell --wait`: watches the pod until the target container runs, with a progress line that
// counts down a CrashLoopBackOff. A watch, not a poll: a back-off may last five minutes.
import type { V1Pod } from "@kubernetes/client-node";
import type { PodFeed } from "./pod-feed.ts";
import { KdiagError } from "../errors.ts";
import type { Progress } from "../output/progress.ts";
import { readTargetState } from "./target-container.ts";

export interface WaitTargetOptions {
  feed: Pick<PodFeed, "list" | "watch">;
  podName: string;
  target: string;
  progress: Progress;
  /** Ctrl-C: the wait ends with a one-line KdiagError (exit 130). */
  signal: AbortSignal;
}

/** Resolves with the pod once its target container runs. */
export async function waitForTargetRunning(options: WaitTargetOptions): Promise<V1Pod> {
  const { feed, podName, target, progress, signal } = options;
  const query = { fieldSelector: `metadata.name=${podName}` };
  let latest: V1Pod | undefined;
  const show = () => latest && progress.update(describeWait(latest, target));
  // The countdown moves between the pod's events.
  const ticker = setInterval(show, 1000);
  try {
    for (;;) {
      throwIfStopped(signal, podName, target);
      const { pods, resourceVersion } = await feed.list(query);
      latest = pods[0];
      if (!latest) throw podGone(podName);
      if (readTargetState(latest, target).kind === "running") return latest;
      show();
      const found = await watchUntilRunning({ ...options, query, resourceVersion, onChange: (pod) => ((latest = pod), show()) });
      if (found) return found;
      // The API server ended the watch (it does every few minutes): list again, after a breath
      // so that a server refusing watches is not hammered.
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
  } finally {
    clearInterval(ticker);
  }
}

interface WatchOnce extends WaitTargetOptions {
  query: { fieldSelector: string };
  resourceVersion: string;
  onChange(pod: V1Pod): void;
}

/** The pod once the target runs, or undefined when the watch ended first. */
async function watchUntilRunning(options: WatchOnce): Promise<V1Pod | undefined> {
  const { signal, podName, target } = options;
  let settle: { resolve(pod: V1Pod | undefined): void; reject(error: Error): void } | undefined;
  const outcome = new Promise<V1Pod | undefined>((resolve, reject) => (settle = { resolve, reject }));
  const onAbort = () => settle?.reject(stoppedWaiting(podName, target));
  signal.addEventListener("abort", onAbort, { once: true });
  const watch = await options.feed.watch(options.query, options.resourceVersion, (event, pod) => {
    if (event === "DELETED") return settle?.reject(podGone(podName));
    if (readTargetState(pod, target).kind === "running") return settle?.resolve(pod);
    options.onChange(pod);
  });
  void watch.ended.then(() => settle?.resolve(undefined));
  try {
    throwIfStopped(signal, podName, target);
    return await outcome;
  } finally {
    signal.removeEventListener("abort", onAbort);
    watch.stop();
  }
}

function describeWait(pod: V1Pod, target: string): string {
  const state = readTargetState(pod, target);
  const name = pod.metadata?.name ?? "";
  if (state.kind === "running") return `container ${target} in pod ${name} runs`;
  const restart = state.restartInSeconds === undefined ? "" : `; restarts in about ${state.restartInSeconds}s`;
  return `waiting for container ${target} in pod ${name} to run (${state.why}${restart}; Ctrl-C to stop)`;
}

function throwIfStopped(signal: AbortSignal, podName: string, target: string): void {
  if (signal.aborted) throw stoppedWaiting(podName, target);
}

/** The user's Ctrl-C: the end of the command, never a reason to try again. */
export class WaitInterrupted extends KdiagError {
  override name = "WaitInterrupted";
}

function stoppedWaiting(podName: string, target: string): WaitInterrupted {
  return new WaitInterrupted(`stopped waiting for container \`${target}\` in pod \`${podName}\` to run (interrupted)`, { exitCode: 130 });
}

function podGone(podName: string): KdiagError {
  return new KdiagError(`pod \`${podName}\` was deleted while kdiag waited for it`);
}
