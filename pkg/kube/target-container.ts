// The target container as `enter` finds it: by its container ID from the pod's status, so the
// shell lands in that container's main process whatever PID 1 is (the pause container in a pod
// that shares one pid namespace, an init such as tini). Pure; unit-tested.
import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import { readSecondsUntilRestart } from "./restart-backoff.ts";

export type TargetState =
  | { kind: "running"; enterTarget: string }
  | { kind: "stopped"; why: string; restartInSeconds?: number };

/** Whether the target runs now (and its `container:<id>` for `enter`), or why not. */
export function readTargetState(pod: V1Pod, target: string, now = new Date()): TargetState {
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === target);
  const running = status?.state?.running;
  const id = status?.containerID?.replace(/^[a-z0-9.+-]+:\/\//, "");
  if (running && id) return { kind: "running", enterTarget: `container:${id}` };
  const waiting = status?.state?.waiting;
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
  const why = waiting?.reason
    ? `${waiting.reason}${terminated ? `, last exit code ${terminated.exitCode}` : ""}`
    : terminated
      ? `exited with code ${terminated.exitCode}`
      : "not started";
  return { kind: "stopped", why, restartInSeconds: readSecondsUntilRestart(status, now) };
}

export interface EnterOptions {
  /** The command has `--wait` (shell): the refusal offers it. */
  offersWait?: boolean;
  now?: Date;
}

/** `container:<id>` for `enter`, or a KdiagError saying why the target cannot be entered now. */
export function describeTargetForEnter(pod: V1Pod, target: string, options: EnterOptions = {}): string {
  const state = readTargetState(pod, target, options.now);
  if (state.kind === "running") return state.enterTarget;
  const podName = pod.metadata?.name ?? "";
  const restart = state.restartInSeconds === undefined ? "" : `; the kubelet restarts it in about ${state.restartInSeconds}s`;
  const logs = `\`kubectl logs ${podName} -c ${target} --previous\``;
  const what = options.offersWait
    ? `enter it at its next start with --wait, or see why with ${logs}`
    : `kdiag works beside a running container — try again once it runs, or see why with ${logs}`;
  throw new KdiagError(`container \`${target}\` in pod \`${podName}\` is not running (${state.why}${restart}); ${what}`);
}
