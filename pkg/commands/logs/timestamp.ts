// Log lines as the API server sends them with `timestamps=true`: `<RFC3339Nano> <text>`.
// Times are kept as nanoseconds since the epoch (bigint) so that lines are compared exactly:
// re-opened streams start at a whole second and must skip what was already printed.

export interface TimedLine {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  /** The timestamp exactly as the kubelet wrote it. */
  time: string;
  line: string;
}

const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d) /;

/** Converts an RFC3339 timestamp (any fraction, any offset) to nanoseconds; undefined if malformed. */
export function parseTimestamp(text: string): bigint | undefined {
  const match = STAMP.exec(text + " ");
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3]}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = BigInt((match[2] ?? "").padEnd(9, "0"));
  return BigInt(seconds) * 1_000_000n + fraction;
}

/** Splits a `timestamps=true` line; a line without a stamp (should not happen) keeps time 0. */
export function splitTimedLine(raw: string): TimedLine {
  const match = STAMP.exec(raw);
  const ns = match ? parseTimestamp(raw.slice(0, match[0].length - 1)) : undefined;
  if (!match || ns === undefined) return { ns: 0n, time: "", line: raw };
  return { ns, time: raw.slice(0, match[0].length - 1), line: raw.slice(match[0].length) };
}

/** Nanoseconds of a JavaScript time (milliseconds). */
export function msToNs(ms: number): bigint {
  return BigInt(Math.floor(ms)) * 1_000_000n;
}

/** The `sinceTime` query value for `ns`: whole seconds, rounded down, because the API truncates. */
export function toSinceTime(ns: bigint): string {
  const seconds = Number(ns / 1_000_000_000n);
  return new Date(seconds * 1000).toISOString().replace(/\.\d+Z$/, "Z");
}

/**
 * Remembers how far one container's log has been printed, so that a stream re-opened from the
 * last whole second skips the lines already seen — including several lines with the same stamp.
 */
export class LineCursor {
  private lastNs: bigint;
  private seenAtLast = 0;
  private skipAtLast = 0;

  /** Lines stamped before `fromNs` are never printed. */
  constructor(fromNs: bigint) {
    this.lastNs = fromNs;
  }

  /** Where a re-opened stream must start. */
  get resumeNs(): bigint {
    return this.lastNs;
  }

  /** Call before reading a new stream: lines at the last stamp seen so far are skipped once. */
  restart(): void {
    this.skipAtLast = this.seenAtLast;
  }

  /** True if the line is new and should be printed; advances the cursor. */
  accept(line: TimedLine): boolean {
    if (line.ns < this.lastNs) return false;
    if (line.ns === this.lastNs) {
      if (this.skipAtLast > 0) {
        this.skipAtLast -= 1;
        return false;
      }
      this.seenAtLast += 1;
      return true;
    }
    this.lastNs = line.ns;
    this.seenAtLast = 1;
    this.skipAtLast = 0;
    return true;
  }
}
