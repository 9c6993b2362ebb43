// The manager picks a random loopback port and announces it as the first line of its log:
// `Listening on 127.0.0.1:<port>`. We read the container log until that line appears.

import { KdiagError, oneLine } from "../errors.ts";
import { findEphemeralStatus, readContainerState } from "./container-state.ts";
import { getApiStatus } from "./api-errors.ts";
import type { PodApi } from "./pod-api.ts";

const listeningLine = /^Listening on 127\.0\.0\.1:(\d{1,5})\r?$/m;

/** The port from the manager's log, or undefined while the line has not been written. */
export function parseListeningPort(log: string): number | undefined {
  const match = listeningLine.exec(log);
  if (!match) return undefined;
  const port = Number(match[1]);
  return port >= 1 && port <= 65535 ? port : undefined;
}

export interface DiscoverOptions {
  api: PodApi;
  podName: string;
  container: string;
  timeoutMs: number;
  pollMs?: number;
  /**
   * Watching a container just added, while its status still says it is starting: the kubelet
   * answers 404 until it has the pod's new spec, the look ends with SIGNAL (the wait it would
   * shorten failed), and its pace slows towards one look a second (a long image pull costs the
   * API server little).
   */
  whileStarting?: { signal: AbortSignal };
}

export async function discoverManagerPort(options: DiscoverOptions): Promise<number> {
  const deadline = Date.now() + options.timeoutMs;
  let log = "";
  let lastError: unknown;
  const starting = options.whileStarting;
  for (let poll = 0; ; poll++) {
    starting?.signal.throwIfAborted();
    try {
      // The line is first, so the head of the log is enough however long it has grown.
      log = await options.api.readLog(options.podName, options.container, 16_384);
      const port = parseListeningPort(log);
      if (port !== undefined) return port;
    } catch (error) {
      // Right after start the kubelet may not serve the log yet (400): keep trying until the
      // deadline. A pod that is gone, or a log we may not read, will not get better.
      if (isFinal(error) && !(starting && getApiStatus(error) === 404)) throw error;
      lastError = error;
    }
    // A manager that exited will never write it: say why now, not at the deadline.
    if (poll % 5 === 4) await failIfExited(options, log);
    if (Date.now() >= deadline) break;
    const pollMs = options.pollMs ?? 100;
    await new Promise((resolve) => setTimeout(resolve, starting ? Math.min(1000, pollMs * 1.1 ** poll) : pollMs));
  }
  const tail = log.trim().split("\n").slice(-1)[0];
  const why = tail ? `its log ends: ${tail}` : lastError instanceof Error ? lastError.message : "its log is empty";
  throw new KdiagError(
    `kdiag's manager in \`${options.container}\` did not announce its port (\`Listening on 127.0.0.1:PORT\`) within ${options.timeoutMs / 1000}s; ${why}`,
  );
}

async function failIfExited(options: DiscoverOptions, log: string): Promise<void> {
  const state = readContainerState(findEphemeralStatus(await options.api.getPod(options.podName), options.container));
  if (state.kind !== "failed") return;
  const tail = log.trim().split("\n").slice(-1)[0];
  throw new KdiagError(
    `kdiag's manager in \`${options.container}\` ${state.message} before announcing its port${tail ? `; its log ends: ${oneLine(tail)}` : ""}`,
  );
}

function isFinal(error: unknown): boolean {
  const status = getApiStatus(error);
  return status === 401 || status === 403 || status === 404;
}
