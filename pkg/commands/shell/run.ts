// Runs the shell: ensure kdiag's container, then exec `enter container:<id> ash …` in it. With a terminal on
// stdin it is a raw-mode TTY session (Ctrl-C goes to the remote shell, resizes follow SIGWINCH
// through client-node); otherwise plain streams, stdin closed at EOF. Resolves with the remote
// shell's exit code.

import { execInContainer } from "../../kube/exec.ts";
import { describeTargetForEnter } from "../../kube/target-container.ts";
import { openKube, prepareManager } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import { markStep } from "../../output/step-timings.ts";
import { buildShellCommand, privilegedProgramsWarning, type ShellConfig } from "./config.ts";

export interface ShellDeps {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  progress: Progress;
}

export async function runShell(config: ShellConfig, deps: ShellDeps): Promise<number> {
  markStep("shell loaded");
  const kube = openKube(config);
  if (config.privilegedPrograms) deps.progress.warn(privilegedProgramsWarning);
  const ready = await prepareManager(config, kube, deps.progress);
  markStep("manager ready");
  deps.progress.clear();
  const tty = Boolean(deps.stdin.isTTY && deps.stdout.isTTY);
  if (tty) deps.stdin.setRawMode(true);
  try {
    return await execInContainer({
      kc: kube.session.kc,
      namespace: kube.session.namespace,
      pod: ready.podName,
      container: ready.container,
      command: buildShellCommand({ ...config, enterTarget: describeTargetForEnter(ready.pod, ready.target) }),
      stdin: deps.stdin,
      stdout: deps.stdout,
      stderr: tty ? null : deps.stderr,
      tty,
    });
  } finally {
    if (tty) deps.stdin.setRawMode(false);
    // client-node keeps reading stdin; the session is over, so stop.
    deps.stdin.pause();
  }
}
