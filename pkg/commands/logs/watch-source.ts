// Keeps following a source's pods as they come and go: watch, and when the watch ends, list again
// and watch from there. A failure (no `watch` permission, the namespace deleted, the API server
// gone) is said once, translated, and retried with a growing pause; recovery is said too.
import { describeError } from "../../errors.ts";
import type { Progress } from "../../output/progress.ts";
import type { LogSource } from "./config.ts";
import type { PodFeed, PodQuery, PodWatch } from "../../kube/pod-feed.ts";
import type { PodTracker } from "./tracker.ts";

const FIRST_RETRY_MS = 1000;
const LAST_RETRY_MS = 30_000;

export interface WatchSourceOptions {
  source: LogSource;
  query: PodQuery;
  resourceVersion: string;
  feed: PodFeed;
  tracker: Pick<PodTracker, "track">;
  progress: Pick<Progress, "warn" | "note">;
  /** The open watches, for the caller to stop. */
  watches: PodWatch[];
  isStopping: () => boolean;
}

export async function keepWatching(options: WatchSourceOptions): Promise<void> {
  const { source, query, feed, tracker, watches, isStopping } = options;
  let resourceVersion = options.resourceVersion;
  let reported: string | undefined;
  let pauseMs = FIRST_RETRY_MS;
  while (!isStopping()) {
    try {
      const watch = await feed.watch(query, resourceVersion, (event, pod) => tracker.track(source, event, pod));
      if (isStopping()) {
        watch.stop();
        return;
      }
      watches.push(watch);
      const failure = await watch.ended;
      watches.splice(watches.indexOf(watch), 1);
      if (isStopping()) return;
      if (failure) throw failure;
      // Re-list rather than resume: the old resourceVersion may be too old to watch from.
      const listed = await feed.list(query);
      for (const pod of listed.pods) tracker.track(source, "ADDED", pod);
      resourceVersion = listed.resourceVersion;
      if (reported !== undefined) options.progress.note(`following ${describeSource(source)} again`);
      reported = undefined;
      pauseMs = FIRST_RETRY_MS;
    } catch (error) {
      const message = describeError(error);
      if (message !== reported) {
        options.progress.warn(`cannot follow ${describeSource(source)} as they come and go: ${message}; retrying`);
        reported = message;
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
      pauseMs = Math.min(pauseMs * 2, LAST_RETRY_MS);
    }
  }
}

function describeSource(source: LogSource): string {
  return source.kind === "selector" ? `the pods matching -l \`${source.selector}\`` : `pod \`${source.name}\``;
}
