// Durations as kubectl writes them: Go's duration syntax (`30s`, `1m30s`, `500ms`, `1.5h`, `0`)
// and, as kubectl's --request-timeout allows, a bare whole number meaning seconds.

import { UsageError } from "../errors.ts";

const unitMs = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
// Longest unit names first, so `ms` is not read as `m` followed by a stray `s`.
const part = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)/y;

/** Milliseconds in `text`; throws a UsageError naming `flag` when it is not a duration. */
export function parseDuration(text: string, flag: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  let total = 0;
  let at = 0;
  while (at < trimmed.length) {
    part.lastIndex = at;
    const match = part.exec(trimmed);
    if (!match) break;
    total += Number(match[1]) * unitMs[match[2] as keyof typeof unitMs];
    at = part.lastIndex;
  }
  if (trimmed === "" || at !== trimmed.length) {
    throw new UsageError(`${flag} \`${text}\` is not a duration (examples: 30s, 2m, 1m30s, 500ms)`);
  }
  return total;
}
