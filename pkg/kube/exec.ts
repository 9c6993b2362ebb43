// Runs a command in a container over client-node's Exec (WebSocket, v5.channel.k8s.io so stdin
// can be closed at EOF) and resolves with the command's exit code.

import type { Readable, Writable } from "node:stream";
import { Exec, type KubeConfig, type V1Status } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import { readExitCode } from "./exec-status.ts";
import { translateUpgradeError } from "./upgrade-errors.ts";
import { markStep } from "../output/step-timings.ts";

export interface ExecOptions {
  kc: KubeConfig;
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  stdin: Readable | null;
  /** With tty, a stream that has rows/columns and emits "resize" gets the remote resized too. */
  stdout: Writable;
  /** Must be null with tty: a terminal merges stderr into stdout. */
  stderr: Writable | null;
  tty: boolean;
}

export async function execInContainer(options: ExecOptions): Promise<number> {
  let status: V1Status | undefined;
  let socket;
  try {
    socket = await new Exec(options.kc).exec(
      options.namespace,
      options.pod,
      options.container,
      options.command,
      options.stdout,
      options.tty ? null : options.stderr,
      options.stdin,
      options.tty,
      (received) => {
        status = received;
      },
    );
  } catch (error) {
    throw translateUpgradeError(error, { resource: "pods/exec", namespace: options.namespace, pod: options.pod });
  }
  markStep("exec connected");
  await new Promise<void>((resolve) => {
    if (socket.readyState === socket.CLOSED) resolve();
    else socket.on("close", () => resolve());
  });
  markStep("exec ended");
  if (!status) {
    throw new KdiagError(`the connection to pod \`${options.pod}\` closed before the command finished`);
  }
  return readExitCode(status);
}
