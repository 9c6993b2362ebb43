// Asks the pod's manager for its processes and prints them.

import { createManagerCalls } from "../../manager-call.ts";
import { connectManager } from "../../manager-client.ts";
import { openKube } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import type { PsConfig } from "./config.ts";
import { formatData } from "../../output/data.ts";
import { formatPsTable, toPsDocument } from "./format.ts";

export interface PsDeps {
  stdout: { write(chunk: string): unknown };
  progress: Progress;
}

export async function runPs(config: PsConfig, deps: PsDeps): Promise<number> {
  const connection = await connectManager(config, openKube(config), deps.progress);
  try {
    const processes = await createManagerCalls(connection.client, connection).listProcesses();
    switch (config.output) {
      case "table":
        deps.stdout.write(formatPsTable(processes));
        break;
      case "json":
      case "yaml":
        deps.stdout.write(formatData(toPsDocument(processes), config.output));
        break;
    }
    return 0;
  } finally {
    await connection.close();
  }
}
