// When the kubelet will next start a container that is in CrashLoopBackOff. It does not publish
// the time; it writes the back-off it chose into the waiting message ("back-off 40s restarting
// failed container=web pod=…") and the back-off runs from when the last run ended. Pure; unit-tested.
import type { V1ContainerStatus } from "@kubernetes/client-node";
import { parseDuration } from "./duration.ts";

const backOffMessage = /^back-off (\S+) restarting failed container/;

/** Whole seconds until the next restart (0 when it is due), or undefined when the status does not say. */
export function readSecondsUntilRestart(status: V1ContainerStatus | undefined, now: Date): number | undefined {
  const waiting = status?.state?.waiting;
  if (waiting?.reason !== "CrashLoopBackOff") return undefined;
  const backOffMs = parseBackOff(waiting.message ?? "");
  const finishedAt = status?.lastState?.terminated?.finishedAt;
  if (backOffMs === undefined || !finishedAt) return undefined;
  const dueAt = new Date(finishedAt).getTime() + backOffMs;
  if (Number.isNaN(dueAt)) return undefined;
  return Math.max(0, Math.ceil((dueAt - now.getTime()) / 1000));
}

function parseBackOff(message: string): number | undefined {
  const match = backOffMessage.exec(message);
  if (!match?.[1]) return undefined;
  try {
    // Go writes durations as 40s, 1m20s, 5m0s: the same units kubectl's flags take.
    return parseDuration(match[1], "back-off");
  } catch {
    return undefined;
  }
}
