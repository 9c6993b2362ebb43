// How one followed line is printed: `pod/container line`, coloured per source on a terminal, or
// one JSON object per line with -o json.
import type { OutputFormat } from "./config.ts";

export interface LogLine {
  pod: string;
  container: string;
  line: string;
  /** RFC3339Nano as the kubelet stamped it. */
  time: string;
}

export interface FormatOptions {
  output: OutputFormat;
  timestamps: boolean;
  colour: boolean;
}

// Foreground colours that read on dark and light terminals; red is left for errors.
const COLOURS = [32, 33, 34, 35, 36, 92, 93, 94, 95, 96] as const;

/** The same source gets the same colour in every run (a hash of its name, not arrival order). */
export function chooseColour(source: string): number {
  let hash = 0;
  for (const char of source) hash = (hash * 31 + (char.codePointAt(0) ?? 0)) >>> 0;
  return COLOURS[hash % COLOURS.length] ?? 36;
}

/** One output line, without the trailing newline. */
export function formatLine(entry: LogLine, options: FormatOptions): string {
  switch (options.output) {
    case "json":
      return JSON.stringify({ pod: entry.pod, container: entry.container, line: entry.line, time: entry.time });
    case "text": {
      const source = `${entry.pod}/${entry.container}`;
      const prefix = options.colour ? `\x1b[${chooseColour(source)}m${source}\x1b[0m` : source;
      const stamp = options.timestamps && entry.time ? `${entry.time} ` : "";
      return `${prefix} ${stamp}${entry.line}`;
    }
  }
}
