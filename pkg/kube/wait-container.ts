// Waits for kdiag's ephemeral container to run, showing progress on stderr. Watches the pod, so
// that the kubelet's "running" is seen the moment it is written, and reads it again every second
// (every 100 ms when the watch cannot be had: a user who may get but not watch pods) and, once a
// second, its events for "Pulling image" and the like.

import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import type { Progress } from "../output/progress.ts";
import { describeFailure, findEphemeralStatus, readContainerState } from "./container-state.ts";
import type { PodApi } from "./pod-api.ts";

export interface WaitOptions {
  api: PodApi;
  podName: string;
  container: string;
  image: string;
  timeoutMs: number;
  progress: Progress;
  pollMs?: number;
  /**
   * Settles when the container is known to run by other means (the manager's first log line):
   * the kubelet reports a started container only on its next look at the runtime, up to a second
   * later. A rejection means nothing here; the wait goes on by the pod's status.
   */
  started?: Promise<unknown>;
}

export async function waitForContainerRunning(options: WaitOptions): Promise<V1Pod> {
  const { api, podName, container, progress } = options;
  const pollMs = options.pollMs ?? 100;
  const deadline = Date.now() + options.timeoutMs;
  let lastReason = "Pending";
  let lastEvent: string | undefined;
  // Events only matter for a wait long enough to need explaining (an image pull).
  let eventsReadAt = Date.now();
  let startedElsewhere = false;
  const started = options.started?.then(() => (startedElsewhere = true), () => new Promise<never>(() => {}));
  let pod = await api.getPod(podName);
  // Changes from the pod read on: the newest waits in `watched` for the loop, which it wakes.
  const watching = new AbortController();
  let watched: V1Pod | undefined;
  let wake = () => {};
  let watchAlive = true;
  const onChange = (changed: V1Pod) => {
    watched = changed;
    wake();
  };
  api.watchPod(podName, pod.metadata?.resourceVersion ?? "", onChange, watching.signal).then(
    () => (watchAlive = false),
    () => (watchAlive = false),
  );
  try {
    for (;;) {
      const state = readContainerState(findEphemeralStatus(pod, container));
      if (startedElsewhere && state.kind !== "failed") return pod;
      switch (state.kind) {
        case "running":
          return pod;
        case "failed":
          throw new KdiagError(describeFailure(state, { container, image: options.image }));
        case "waiting":
          lastReason = state.reason;
          if (Date.now() - eventsReadAt >= 1000) {
            eventsReadAt = Date.now();
            lastEvent = (await readLatestEvent(options)) ?? lastEvent;
          }
          progress.update(`starting ${container} in pod ${podName} (${lastEvent ?? state.reason})`);
      }
      if (Date.now() >= deadline) {
        throw new KdiagError(
          `kdiag's container \`${container}\` did not start within --timeout (${options.timeoutMs / 1000}s), still ${lastReason}; ` +
            `raise --timeout or look at \`kubectl describe pod ${podName}\``,
        );
      }
      // A change the watch brought while this look was busy is read at once.
      if (!watched) {
        const woken = new Promise<void>((resolve) => (wake = resolve));
        await Promise.race([sleep(watchAlive ? 1000 : pollMs), woken, ...(started ? [started] : [])]);
      }
      // Taken before the read, so that a change the watch brings meanwhile is not lost.
      const fromWatch = watched;
      watched = undefined;
      pod = fromWatch ?? (await api.getPod(podName));
    }
  } finally {
    watching.abort();
  }
}

/** The latest kubelet event about our container ("Pulling image …"). */
async function readLatestEvent(options: WaitOptions): Promise<string | undefined> {
  try {
    const events = await options.api.listPodEvents(options.podName);
    const ours = events
      .filter((event) => event.involvedObject.fieldPath?.includes(`{${options.container}}`))
      .sort((a, b) => eventTime(b) - eventTime(a));
    return ours[0]?.message;
  } catch {
    // Events are a nicety: a user who may not list them still gets the wait.
    return undefined;
  }
}

function eventTime(event: { lastTimestamp?: Date; eventTime?: Date; metadata: { creationTimestamp?: Date } }): number {
  const stamp = event.lastTimestamp ?? event.eventTime ?? event.metadata.creationTimestamp;
  return stamp ? new Date(stamp).getTime() : 0;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
