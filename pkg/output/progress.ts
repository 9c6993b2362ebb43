// Progress goes to stderr as one status line rewritten in place, so data on stdout stays clean.
// It is silent with --quiet and when stderr is not a terminal (scripts, CI, pipes): progress
// lines in a log file help nobody. Warnings are not progress and are always shown; notes (a pod
// ended) are shown unless --quiet.

import { escapeControl } from "./escape.ts";
import { createPainter, shouldColour, type Env } from "./style.ts";

export interface ProgressStream {
  isTTY?: boolean;
  write(chunk: string): unknown;
}

export interface Progress {
  /** Replace the status line with `message`. */
  update(message: string): void;
  /** Clear the status line (call before writing anything else to the terminal). */
  clear(): void;
  /** A line that stays, prefixed `kdiag: warning:`; shown even when progress is silenced. */
  warn(message: string): void;
  /**
   * A line that stays, prefixed `kdiag:`: information worth keeping (a pod ended), shown in logs
   * and pipes too, silenced only by --quiet.
   */
  note(message: string): void;
}

export interface ProgressOptions {
  stream?: ProgressStream;
  quiet?: boolean;
  env?: Env;
}

export function createProgress(options: ProgressOptions = {}): Progress {
  const stream = options.stream ?? process.stderr;
  const live = !options.quiet && Boolean(stream.isTTY);
  const paint = createPainter(shouldColour(stream, options.env));
  let showing = false;

  const clear = () => {
    if (showing) {
      stream.write("\r\x1b[K");
      showing = false;
    }
  };
  return {
    update(message) {
      if (!live) return;
      stream.write(`\r\x1b[K${paint.dim(`kdiag: ${escapeControl(message)}`)}`);
      showing = true;
    },
    clear,
    warn(message) {
      clear();
      stream.write(`${paint.yellow("kdiag: warning:")} ${escapeControl(message)}\n`);
    },
    note(message) {
      if (options.quiet) return;
      clear();
      stream.write(`kdiag: ${escapeControl(message)}\n`);
    },
  };
}

