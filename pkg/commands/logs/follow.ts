// Follows one container's log for as long as the container can write: a follow the API server
// ends early (a known upstream TODO) or that breaks is re-opened from the last line's second,
// and the cursor drops the lines already printed.
import { createInterface } from "node:readline";
import type { OpenLog, OpenLogFn } from "./open-log.ts";
import { LineCursor, splitTimedLine, toSinceTime, type TimedLine } from "./timestamp.ts";

/** running: follow it; waiting: not now, ask again; over: the container will not write again. */
export type ContainerState = "running" | "waiting" | "over";

export interface FollowOptions {
  pod: string;
  container: string;
  /** Lines stamped before this (ns since the epoch) are not printed. */
  fromNs: bigint;
  openLog: OpenLogFn;
  checkState: () => Promise<ContainerState>;
  onLine: (line: TimedLine) => void;
  /** A failure worth telling the user about (the follow goes on while the container may run). */
  onWarning: (message: string) => void;
}

export interface Follower {
  /** Resolves when the first stream is open (or the follow gave up). */
  connected: Promise<void>;
  /** Resolves when following has ended for good. */
  done: Promise<void>;
  stop(): void;
}

const FIRST_RETRY_MS = 200;
const LAST_RETRY_MS = 2000;

export function followContainer(options: FollowOptions): Follower {
  const cursor = new LineCursor(options.fromNs);
  let stopped = false;
  let current: OpenLog | undefined;
  let markConnected = () => {};
  const connected = new Promise<void>((resolve) => (markConnected = resolve));
  let wake = () => {};

  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const loop = async () => {
    let retryMs = FIRST_RETRY_MS;
    let lastWarning = "";
    while (!stopped) {
      cursor.restart();
      try {
        current = await options.openLog({ pod: options.pod, container: options.container, sinceTime: toSinceTime(cursor.resumeNs) });
      } catch (error) {
        current = undefined;
        const state = await checkStateSafely(options);
        if (state === "over" || stopped) break;
        // A container that is still starting refuses its log; that is expected, not a warning.
        const message = error instanceof Error ? error.message : String(error);
        if (state === "running" && message !== lastWarning) {
          options.onWarning(`cannot follow ${options.pod}/${options.container}: ${message}; retrying`);
          lastWarning = message;
        }
        await pause(retryMs);
        retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
        continue;
      }
      markConnected();
      if (stopped) break;
      const printed = await readLines(current, cursor, options.onLine);
      current = undefined;
      if (stopped) break;
      if (printed) retryMs = FIRST_RETRY_MS;
      const state = await checkStateSafely(options);
      if (state === "over" || stopped) break;
      await pause(retryMs);
      retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
    }
    markConnected();
  };

  const done = loop();
  return {
    connected,
    done,
    stop() {
      stopped = true;
      current?.close();
      wake();
    },
  };
}

/** Reads one stream to its end; true if it printed anything. */
async function readLines(log: OpenLog, cursor: LineCursor, onLine: (line: TimedLine) => void): Promise<boolean> {
  let printed = false;
  const lines = createInterface({ input: log.body, crlfDelay: Infinity });
  // A broken connection is just the end of this stream; the caller decides whether to re-open.
  log.body.on("error", () => lines.close());
  log.body.on("close", () => lines.close());
  try {
    for await (const raw of lines) {
      const line = splitTimedLine(raw);
      if (cursor.accept(line)) {
        onLine(line);
        printed = true;
      }
    }
  } catch {
    // same as above: the stream ended
  }
  return printed;
}

async function checkStateSafely(options: FollowOptions): Promise<ContainerState> {
  try {
    return await options.checkState();
  } catch {
    // The API is unreachable for a moment: keep trying rather than drop the container.
    return "waiting";
  }
}
