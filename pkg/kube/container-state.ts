// Reads an ephemeral container's status into what the waiter does next. Pure and unit-tested:
// the kubelet's image-pull and creation failures end the wait at once, with its own words.

import type { V1ContainerStatus, V1Pod } from "@kubernetes/client-node";
import { oneLine } from "../errors.ts";

export type ContainerState =
  | { kind: "running" }
  | { kind: "waiting"; reason: string }
  | { kind: "failed"; reason: string; message: string; imageProblem: boolean };

const imageFailures = new Set(["ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName", "ImageInspectError", "RegistryUnavailable", "SignatureValidationFailed"]);
const creationFailures = new Set(["CreateContainerConfigError", "CreateContainerError", "RunContainerError", "StartError", "PreStartHookError", "PostStartHookError", "CrashLoopBackOff"]);

export function findEphemeralStatus(pod: V1Pod, name: string): V1ContainerStatus | undefined {
  return pod.status?.ephemeralContainerStatuses?.find((status) => status.name === name);
}

export function readContainerState(status: V1ContainerStatus | undefined): ContainerState {
  const state = status?.state;
  if (state?.running) return { kind: "running" };
  if (state?.terminated) {
    const { exitCode, reason, message } = state.terminated;
    return {
      kind: "failed",
      reason: reason ?? "Terminated",
      message: `exited with code ${exitCode}${message ? `: ${lastLine(message)}` : ""}`,
      imageProblem: false,
    };
  }
  const reason = state?.waiting?.reason ?? "Pending";
  const message = state?.waiting?.message ?? "";
  if (imageFailures.has(reason)) return { kind: "failed", reason, message, imageProblem: true };
  if (creationFailures.has(reason)) return { kind: "failed", reason, message, imageProblem: false };
  return { kind: "waiting", reason };
}

/** The sentence for a container that will not run. */
export function describeFailure(state: Extract<ContainerState, { kind: "failed" }>, context: { container: string; image: string }): string {
  const what = `kdiag's container \`${context.container}\``;
  const detail = state.message ? `: ${oneLine(state.message)}` : "";
  if (state.imageProblem) {
    return `${what} cannot start, image \`${context.image}\` ${state.reason}${detail}; pass --image with an image the node can pull`;
  }
  return `${what} cannot start, ${state.reason}${detail}`;
}

function lastLine(text: string): string {
  const lines = text.trim().split("\n");
  return lines[lines.length - 1] ?? "";
}
