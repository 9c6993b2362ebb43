// The single place that turns a failure into what the user sees: `kdiag: <message>` on one line.

import { describeError } from "../errors.ts";
import { createPainter, shouldColour, type Env } from "./style.ts";

export interface ErrorStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

export function formatErrorLine(error: unknown, options: { colour?: boolean } = {}): string {
  const paint = createPainter(options.colour ?? false);
  return `${paint.red(paint.bold("kdiag:"))} ${describeError(error)}`;
}

export function reportError(error: unknown, stream: ErrorStream = process.stderr, env: Env = process.env): void {
  stream.write(formatErrorLine(error, { colour: shouldColour(stream, env) }) + "\n");
}
