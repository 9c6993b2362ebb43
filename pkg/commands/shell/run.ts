// Runs the shell: ensure kdiag's container, then exec `enter container:<id> ash …` in it (when
// enter fails, ask the manager whether it lacks a capability enter needs, and say so). With a terminal on
// stdin it is a raw-mode TTY session (Ctrl-C goes to the remote shell, resizes follow SIGWINCH
// through client-node); otherwise plain streams, stdin closed at EOF. Resolves with the remote
// shell's exit code.
//
// A target that is not running is refused in one line, or with --wait waited for. A crash-looping
// target may die again between "running" and entering it (kdiag's container, in its pid
// namespace, dies with it): then the shell waits for the next start, a few times, before saying so.

import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";
import { onInterrupt } from "../../interrupts.ts";
import { execInContainer } from "../../kube/exec.ts";
import { resolveTarget } from "../../kube/pod-selection.ts";
import { describeTargetForEnter, readTargetState } from "../../kube/target-container.ts";
import { WaitInterrupted, waitForTargetRunning } from "../../kube/wait-target.ts";
import { openKube, prepareManager, type Kube, type PodCheck } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import { createPodFeed } from "../../kube/pod-feed.ts";
import type { Profile } from "../../kube/profiles.ts";
import { buildShellCommand, enterFailedExitCode, joinsNamespaces, privilegedProgramsFlag, privilegedProgramsWarning, type ShellConfig } from "./config.ts";
import { markStep } from "../../output/step-timings.ts";

export interface ShellDeps {
  stdin: NodeJS.ReadStream;
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
  progress: Progress;
}

/** With --wait, how many starts of the target kdiag tries to enter before giving up. */
export const enterAttempts = 3;

type Attempt = { kind: "done"; exitCode: number } | { kind: "failed"; error?: unknown; exitCode?: number; enterTarget?: string };

export async function runShell(config: ShellConfig, deps: ShellDeps): Promise<number> {
  markStep("shell loaded");
  const kube = openKube(config);
  if (config.privilegedPrograms) deps.progress.warn(privilegedProgramsWarning);
  let podName: string | undefined;
  const check: PodCheck = {
    checkPod: (pod) => (podName = pod.metadata?.name),
    stoppedTarget: { offersWait: true, waitForTarget: config.wait ? (pod, target) => waitUntilRunning(kube, deps.progress, pod, target) : undefined },
  };
  for (let attempt = 1; ; attempt++) {
    const outcome = await enterOnce(config, deps, kube, check);
    if (outcome.kind === "done") return outcome.exitCode;
    const stopped = podName ? await readStoppedTarget(kube, podName, config.target, outcome.enterTarget).catch(() => undefined) : undefined;
    // Not the target's doing: the failure (or enter's exit code) stands as it is.
    if (!stopped) return rethrow(outcome);
    if (!config.wait) {
      // Stopped (or restarted) under our feet: say so as any stopped target is said.
      describeTargetForEnter(stopped.pod, stopped.target, { offersWait: true });
      return rethrow(outcome);
    }
    if (attempt >= enterAttempts) {
      throw new KdiagError(
        `container \`${stopped.target}\` in pod \`${podName}\` stopped ${enterAttempts} times before kdiag could enter it; it does not run long enough for kdiag's container to start beside it — see why with \`kubectl logs ${podName} -c ${stopped.target} --previous\``,
      );
    }
    deps.progress.warn(`container \`${stopped.target}\` stopped again before kdiag could enter it; waiting for its next start (attempt ${attempt + 1} of ${enterAttempts})`);
  }
}

async function enterOnce(config: ShellConfig, deps: ShellDeps, kube: Kube, check: PodCheck): Promise<Attempt> {
  let enterTarget: string | undefined;
  try {
    const ready = await prepareManager(config, kube, deps.progress, check);
    markStep("manager ready");
    enterTarget = describeTargetForEnter(ready.pod, ready.target, { offersWait: true });
    if (config.privilegedPrograms && !joinsNamespaces(ready.profile)) {
      throw new KdiagError(`${privilegedProgramsFlag} needs --profile netadmin or privileged; kdiag's container here has profile ${ready.profile}`);
    }
    const exitCode = await execShell(config, deps, kube, { pod: ready.podName, container: ready.container, enterTarget, profile: ready.profile });
    if (exitCode !== enterFailedExitCode) return { kind: "done", exitCode };
    // baseline and restricted need no capability from the manager: enter's own line says it all.
    if (joinsNamespaces(ready.profile)) await explainEnterFailure(config, kube, deps.progress);
    return { kind: "failed", exitCode, enterTarget };
  } catch (error) {
    if (error instanceof WaitInterrupted) throw error;
    return { kind: "failed", error, enterTarget };
  }
}

/**
 * enter failed (its own line is on stderr). A capability the container was not given is the cause
 * a user can act on, and the manager knows it: ask only now, so a shell that works pays for no
 * port-forward, credential read or TLS handshake. Throws the one-line refusal when it is that.
 */
async function explainEnterFailure(config: ShellConfig, kube: Kube, progress: Progress): Promise<void> {
  // Loaded only on this path: a shell that works does not load grpc-js.
  const [{ connectManager }, { requireCapabilities }] = await Promise.all([import("../../manager-client.ts"), import("../../manager-capabilities.ts")]);
  let connection: Awaited<ReturnType<typeof connectManager>>;
  try {
    connection = await connectManager(config, kube, progress);
  } catch {
    return; // The target stopped, or the manager is gone with it: the retry loop says which.
  }
  try {
    await requireCapabilities(connection, "shell");
  } finally {
    await connection.close();
  }
}

async function execShell(config: ShellConfig, deps: ShellDeps, kube: Kube, where: { pod: string; container: string; enterTarget: string; profile: Profile }): Promise<number> {
  const tty = Boolean(deps.stdin.isTTY && deps.stdout.isTTY);
  if (tty) deps.stdin.setRawMode(true);
  try {
    return await execInContainer({
      kc: kube.session.kc,
      namespace: kube.session.namespace,
      pod: where.pod,
      container: where.container,
      command: buildShellCommand({ ...config, enterTarget: where.enterTarget, profile: where.profile }),
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

/** Ctrl-C ends the wait (one line, exit 130) rather than the process mid-request. */
async function waitUntilRunning(kube: Kube, progress: Progress, pod: V1Pod, target: string): Promise<V1Pod> {
  const interrupted = new AbortController();
  const stopListening = onInterrupt(() => interrupted.abort());
  try {
    const feed = createPodFeed(kube.session);
    return await waitForTargetRunning({ feed, podName: pod.metadata?.name ?? "", target, progress, signal: interrupted.signal });
  } finally {
    stopListening();
  }
}

/** The pod and target when the target is not the running container kdiag tried to enter. */
async function readStoppedTarget(kube: Kube, podName: string, wanted: string | undefined, tried: string | undefined) {
  const pod = await kube.api.getPod(podName);
  const target = resolveTarget(pod, wanted);
  const state = readTargetState(pod, target);
  if (state.kind === "running" && (tried === undefined || state.enterTarget === tried)) return undefined;
  return { pod, target };
}

function rethrow(outcome: Extract<Attempt, { kind: "failed" }>): number {
  if (outcome.exitCode !== undefined) return outcome.exitCode;
  throw outcome.error;
}
