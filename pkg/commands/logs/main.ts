// Wires `kdiag logs` to the real world: the kubeconfig's cluster, follows over `pods/log`, the
// user's command with the terminal's stdio, lines on stdout and notes and warnings on stderr.
import { loadKubeSession } from "../../kube/config.ts";
import { createPodApi } from "../../kube/pod-api.ts";
import { rejectMissingNamespace } from "../../kube/select-pod.ts";
import { onInterrupt } from "../../interrupts.ts";
import { createProgress } from "../../output/progress.ts";
import { shouldColour } from "../../output/style.ts";
import { startCommand } from "./command.ts";
import type { LogsConfig } from "./config.ts";
import { createLogOpener } from "./open-log.ts";
import { createPodFeed } from "../../kube/pod-feed.ts";
import { runLogs } from "./run.ts";

export async function runLogsCommand(config: LogsConfig): Promise<number> {
  const session = loadKubeSession(config.kube);
  const { namespace } = session;
  await rejectMissingNamespace(createPodApi(session));
  return runLogs(config, {
    namespace,
    feed: createPodFeed(session),
    openLog: createLogOpener(session.kc, namespace),
    stdout: process.stdout,
    progress: createProgress({ quiet: config.quiet }),
    colour: config.output === "text" && shouldColour(process.stdout),
    now: Date.now,
    startCommand,
    onInterrupt,
  });
}

