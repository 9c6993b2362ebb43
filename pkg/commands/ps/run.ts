// Asks the pod's manager for its processes and prints them.

import { Metadata } from "@grpc/grpc-js";
import type { PsResponse } from "../../../api/gen/kdiag.ts";
import { callManager } from "../../manager-call.ts";
import { connectManager } from "../../manager-client.ts";
import { openKube } from "../../manager-connection.ts";
import type { Progress } from "../../output/progress.ts";
import type { PsConfig } from "./config.ts";
import { formatPsJson, formatPsTable } from "./format.ts";

export interface PsDeps {
  stdout: { write(chunk: string): unknown };
  progress: Progress;
}

export async function runPs(config: PsConfig, deps: PsDeps): Promise<number> {
  const connection = await connectManager(config, openKube(config), deps.progress);
  try {
    const response = await callManager<PsResponse>(connection, (done) =>
      connection.client.ps({}, new Metadata(), { deadline: Date.now() + 30_000 }, done),
    );
    switch (config.output) {
      case "table":
        deps.stdout.write(formatPsTable(response.processes));
        break;
      case "json":
        deps.stdout.write(formatPsJson(response.processes));
        break;
    }
    return 0;
  } finally {
    await connection.close();
  }
}
