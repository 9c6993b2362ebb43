// Two kinds of failure reach the user. A UsageError means the command line itself is wrong: the
// CLI prints the message and then the command's usage. A KdiagError is a runtime failure with a
// message already written for the user: one line `kdiag: <message>`, no usage, no stack.

import { escapeControl } from "./output/escape.ts";

export class UsageError extends Error {
  override name = "UsageError";
}

export class KdiagError extends Error {
  override name = "KdiagError";
  readonly exitCode: number;

  constructor(message: string, options: { exitCode?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.exitCode = options.exitCode ?? 1;
  }
}

/** Exit code for usage errors (as kubectl and most CLIs use for bad invocations). */
export const usageExitCode = 2;

/** A multi-line message (an API server's, a kubelet's) as the one line kdiag prints. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, " ").trim();
}

/**
 * The one-line text for any error: ours as written, anything else by its message. A message may
 * carry text from the pod (a gRPC status detail from the manager, an API server's echo of a
 * name), so its control characters are escaped.
 */
export function describeError(error: unknown): string {
  if (error instanceof Error) {
    return escapeControl(firstLine(error.message)) || error.name;
  }
  return escapeControl(firstLine(String(error)));
}

function firstLine(text: string): string {
  return text.split("\n", 1)[0]?.trim() ?? "";
}
