// The target container as `enter` finds it: by its container ID from the pod's status, so the
// shell lands in that container's main process whatever PID 1 is (the pause container in a pod
// that shares one pid namespace, an init such as tini). Pure; unit-tested.
import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";

/** `container:<id>` for `enter`, or a KdiagError saying why the target cannot be entered now. */
export function describeTargetForEnter(pod: V1Pod, target: string): string {
  const podName = pod.metadata?.name ?? "";
  const status = pod.status?.containerStatuses?.find((candidate) => candidate.name === target);
  const running = status?.state?.running;
  const id = status?.containerID?.replace(/^[a-z0-9.+-]+:\/\//, "");
  if (running && id) return `container:${id}`;
  const waiting = status?.state?.waiting;
  const terminated = status?.state?.terminated ?? status?.lastState?.terminated;
  const why = waiting?.reason
    ? `${waiting.reason}${terminated ? ` (last exit code ${terminated.exitCode})` : ""}`
    : terminated
      ? `exited with code ${terminated.exitCode}`
      : "not started";
  throw new KdiagError(
    `container \`${target}\` in pod \`${podName}\` is not running (${why}); kdiag works beside a running container — try again once it runs, or see why with \`kubectl logs ${podName} -c ${target} --previous\``,
  );
}
