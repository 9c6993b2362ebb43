// Port pairs as the user writes them for `redir`: `PODPORT[:LOCALPORT]`.
import { UsageError } from "../../errors.ts";

export interface PortPair {
  /** The pod's port whose traffic is redirected. */
  podPort: number;
  /** Where the redirected connections go on this machine (127.0.0.1). */
  localPort: number;
}

const PAIR_HINT = "use PODPORT[:LOCALPORT], e.g. `80` or `80:8080`";


/** Parses one port number, naming the pair it came from in any error. */
export function parsePort(text: string, pair: string): number {
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`port \`${text}\` in \`${pair}\` is not a number; ${PAIR_HINT}`);
  }
  const port = Number(text);
  if (port < 1 || port > 65535) {
    throw new UsageError(`port \`${text}\` in \`${pair}\` is out of range (1–65535)`);
  }
  return port;
}

/** `80` → 80 to local 80; `80:8080` → 80 to local 8080. */
export function parsePortPair(pair: string): PortPair {
  const parts = pair.split(":");
  if (parts.length > 2) {
    throw new UsageError(`port pair \`${pair}\` has ${parts.length} parts; ${PAIR_HINT}`);
  }
  const [podText = "", localText] = parts;
  const podPort = parsePort(podText, pair);
  const localPort = localText === undefined ? podPort : parsePort(localText, pair);
  return { podPort, localPort };
}

/** Parses every pair and refuses the same pod port twice (one rule per port in the pod). */
export function parsePortPairs(pairs: readonly string[]): PortPair[] {
  const parsed = pairs.map(parsePortPair);
  const seen = new Set<number>();
  for (const [index, pair] of parsed.entries()) {
    if (seen.has(pair.podPort)) {
      throw new UsageError(`pod port \`${pair.podPort}\` is given twice (in \`${pairs[index]}\`); redirect each port once`);
    }
    seen.add(pair.podPort);
  }
  return parsed;
}
