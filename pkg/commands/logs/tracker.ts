// Turns pods (listed at the start or seen by a watch later) into followed containers, once each,
// and tells the user when a followed pod ends.
import type { V1Pod } from "@kubernetes/client-node";
import type { LogSource } from "./config.ts";
import { chooseContainers, isContainerRunning, isPodOver } from "./containers.ts";
import { followContainer, type ContainerState, type Follower } from "./follow.ts";
import type { OpenLogFn } from "./open-log.ts";
import type { PodEvent, PodFeed } from "../../kube/pod-feed.ts";
import type { TimedLine } from "./timestamp.ts";

export interface TrackerOptions {
  feed: Pick<PodFeed, "read">;
  openLog: OpenLogFn;
  fromNs: bigint;
  allContainers: boolean;
  /** -c: the container for sources without `:container`. */
  container?: string;
  print: (pod: string, container: string, line: TimedLine) => void;
  /** A line for stderr: pods ending, containers that cannot be followed. */
  notice: (message: string) => void;
}

export class PodTracker {
  private readonly followers = new Map<string, Follower>();
  private readonly ended = new Set<string>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: TrackerOptions) {}

  /**
   * Follows what `source` selects in `pod`; returns the followers started now for containers
   * that run already (those the command's lines can come from right away).
   */
  track(source: LogSource, event: PodEvent, pod: V1Pod): Follower[] {
    const name = pod.metadata?.name ?? "";
    const uid = pod.metadata?.uid ?? name;
    if (event === "DELETED" || isPodOver(pod)) {
      this.noticeEnd(uid, name, describeEnd(event, pod));
      return [];
    }
    const choice = chooseContainers(pod, { all: this.options.allContainers, container: source.container ?? this.options.container });
    if (choice.missing !== undefined) {
      this.noticeOnce(`${uid}/${choice.missing}`, `pod ${name} has no container \`${choice.missing}\`; its containers: ${choice.known.join(", ")}`);
    }
    const started: Follower[] = [];
    for (const container of choice.containers) {
      const key = `${uid}/${container}`;
      if (this.followers.has(key)) continue;
      const follower = followContainer({
        pod: name,
        container,
        fromNs: this.options.fromNs,
        openLog: this.options.openLog,
        checkState: () => this.checkState(name, uid, container),
        onLine: (line) => this.options.print(name, container, line),
        onWarning: (message) => this.options.notice(message),
      });
      this.followers.set(key, follower);
      if (isContainerRunning(pod, container)) started.push(follower);
    }
    return started;
  }

  /** Stops every follow and waits until each has let go of its stream. */
  async stopAll(): Promise<void> {
    const all = [...this.followers.values()];
    for (const follower of all) follower.stop();
    await Promise.all(all.map((follower) => follower.done));
  }

  private async checkState(name: string, uid: string, container: string): Promise<ContainerState> {
    const pod = await this.options.feed.read(name);
    if (!pod || (pod.metadata?.uid ?? name) !== uid) {
      this.noticeEnd(uid, name, "deleted");
      return "over";
    }
    if (isPodOver(pod)) {
      this.noticeEnd(uid, name, describeEnd("MODIFIED", pod));
      return "over";
    }
    return isContainerRunning(pod, container) ? "running" : "waiting";
  }

  private noticeEnd(uid: string, name: string, how: string): void {
    // Only pods we followed have an end worth telling; others merely stopped matching.
    const followed = [...this.followers.keys()].some((key) => key.startsWith(`${uid}/`));
    if (!followed || this.ended.has(uid)) return;
    this.ended.add(uid);
    this.options.notice(`pod ${name} ended (${how})`);
  }

  private noticeOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.notice(message);
  }
}

/** Why a pod is over, for the notice: deleted, or the phase it finished in. */
function describeEnd(event: PodEvent, pod: V1Pod): string {
  if (event === "DELETED" || pod.metadata?.deletionTimestamp !== undefined) return "deleted";
  return pod.status?.phase ?? "finished";
}
