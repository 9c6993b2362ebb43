// `kdiag logs`: follow every selected container, run the command once every stream is open, keep
// following for the drain time, then exit with the command's exit code.
import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";
import type { LogSource, LogsConfig } from "./config.ts";
import { chooseContainers, isPodOver } from "./containers.ts";
import type { Follower } from "./follow.ts";
import { formatLine } from "./format.ts";
import type { OpenLogFn } from "./open-log.ts";
import type { Progress } from "../../output/progress.ts";
import type { PodFeed, PodQuery, PodWatch } from "../../kube/pod-feed.ts";
import { msToNs } from "./timestamp.ts";
import { PodTracker } from "./tracker.ts";
import type { RunningCommand } from "./command.ts";
import { keepWatching } from "./watch-source.ts";

export interface LogsDeps {
  namespace: string;
  feed: PodFeed;
  openLog: OpenLogFn;
  stdout: { write(text: string): unknown };
  /** Notes (pods ending, waiting for pods; silenced by --quiet) and warnings (a failing watch). */
  progress: Pick<Progress, "note" | "warn">;
  colour: boolean;
  now: () => number;
  startCommand: (command: readonly string[]) => RunningCommand;
  /** Calls back on SIGINT/SIGTERM until disposed. */
  onInterrupt: (handler: (signal: NodeJS.Signals) => void) => () => void;
  /** How long to wait for the streams to open before the command starts anyway. */
  connectTimeoutMs?: number;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Returns the exit code: the command's, or 0 when following without one ends on Ctrl-C. */
export async function runLogs(config: LogsConfig, deps: LogsDeps): Promise<number> {
  const fromNs = msToNs(deps.now() - config.sinceMs);
  const tracker = new PodTracker({
    feed: deps.feed,
    openLog: deps.openLog,
    fromNs,
    allContainers: config.allContainers,
    ...(config.container === undefined ? {} : { container: config.container }),
    print: (pod, container, line) =>
      deps.stdout.write(formatLine({ pod, container, line: line.line, time: line.time }, { ...config, colour: deps.colour }) + "\n"),
    notice: (message) => deps.progress.note(message),
  });
  const watches: PodWatch[] = [];
  let stopping = false;
  try {
    const listed = await Promise.all(config.sources.map(async (source) => ({ source, ...(await listSource(source, config, deps)) })));
    const initial: Follower[] = [];
    for (const { source, pods } of listed) {
      for (const pod of pods) initial.push(...tracker.track(source, "ADDED", pod));
    }
    for (const { source, resourceVersion } of listed) {
      void keepWatching({ source, query: toQuery(source), resourceVersion, feed: deps.feed, tracker, progress: deps.progress, watches, isStopping: () => stopping });
    }
    await waitConnected(initial, deps.connectTimeoutMs ?? CONNECT_TIMEOUT_MS);
    return config.command.length > 0 ? await runCommandThenDrain(config, deps) : await waitForInterrupt(deps);
  } finally {
    stopping = true;
    for (const watch of watches) watch.stop();
    await tracker.stopAll();
  }
}

function toQuery(source: LogSource): PodQuery {
  switch (source.kind) {
    case "selector":
      return { labelSelector: source.selector };
    case "pod":
      return { fieldSelector: `metadata.name=${source.name}` };
  }
}

/** Lists a source's pods and refuses, before anything starts, what cannot be followed. */
async function listSource(source: LogSource, config: LogsConfig, deps: LogsDeps) {
  const { pods, resourceVersion } = await deps.feed.list(toQuery(source));
  const live = pods.filter((pod) => !isPodOver(pod));
  if (source.kind === "pod" && pods.length === 0) {
    throw new KdiagError(`pod \`${source.name}\` (from --pod) is not in namespace \`${deps.namespace}\`; check the name or pass -n`);
  }
  if (source.kind === "selector" && live.length === 0) {
    deps.progress.note(`no running pod matches -l \`${source.selector}\` in namespace \`${deps.namespace}\` yet; following pods as they appear`);
  }
  for (const pod of live) refuseMissingContainer(pod, source, config);
  return { pods: live, resourceVersion };
}

function refuseMissingContainer(pod: V1Pod, source: LogSource, config: LogsConfig): void {
  const container = source.container ?? config.container;
  const choice = chooseContainers(pod, { all: config.allContainers, ...(container === undefined ? {} : { container }) });
  if (choice.missing === undefined) return;
  const flag = source.container === undefined ? "-c" : source.kind === "pod" ? "--pod" : "-l";
  throw new KdiagError(
    `container \`${choice.missing}\` (from ${flag}) is not in pod \`${pod.metadata?.name}\`; its containers: ${choice.known.join(", ")}`,
  );
}

/**
 * Waits for the first stream of each container that runs at the start. Being late costs no line
 * (every stream starts at the start time), but waiting makes a slow API server visible up front.
 */
async function waitConnected(followers: Follower[], timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  await Promise.race([Promise.all(followers.map((follower) => follower.connected)), timeout]);
  clearTimeout(timer);
}

async function runCommandThenDrain(config: LogsConfig, deps: LogsDeps): Promise<number> {
  const command = deps.startCommand(config.command);
  // The command is in our process group, so a terminal's Ctrl-C reaches it directly; a signal
  // sent to the CLI alone (kill, a CI runner) is passed on so that the command ends too.
  let exited = false;
  let endDrain = () => {};
  const dispose = deps.onInterrupt((signal) => (exited ? endDrain() : command.signal(signal)));
  try {
    const exitCode = await command.exitCode;
    exited = true;
    // Ctrl-C while draining means "enough": exit now, still with the command's code.
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, config.drainMs);
      endDrain = () => {
        clearTimeout(timer);
        resolve();
      };
    });
    return exitCode;
  } finally {
    dispose();
  }
}

/** Following without a command ends on Ctrl-C or SIGTERM, which is success: exit 0. */
function waitForInterrupt(deps: LogsDeps): Promise<number> {
  return new Promise((resolve) => {
    const dispose = deps.onInterrupt(() => {
      dispose();
      resolve(0);
    });
  });
}
