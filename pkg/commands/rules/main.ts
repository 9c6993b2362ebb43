// Wires `kdiag rules` to the real world: the pod's manager over a port-forward, data on stdout,
// the question of --conntrack-delete on the terminal (only when stdin is one).
import { createInterface } from "node:readline/promises";
import { createManagerCalls } from "../../manager-call.ts";
import { connectManager } from "../../manager-client.ts";
import { openKube } from "../../manager-connection.ts";
import { createProgress } from "../../output/progress.ts";
import type { RulesConfig } from "./config.ts";
import { runRules } from "./run.ts";

export async function runRulesCommand(config: RulesConfig): Promise<number> {
  const progress = createProgress({ quiet: config.quiet });
  return runRules(config, {
    openManager: async () => {
      const kube = openKube(config);
      const connection = await connectManager(config, kube, progress);
      return {
        place: { pod: connection.podName, namespace: kube.session.namespace },
        calls: createManagerCalls(connection.client, connection),
        close: () => connection.close(),
      };
    },
    stdout: process.stdout,
    stderr: process.stderr,
    progress,
    ...(process.stdin.isTTY ? { confirm: askOnTerminal } : {}),
  });
}

async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
