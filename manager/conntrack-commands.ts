// Typed builders for the `conntrack` command lines the manager runs, and the parser of what
// `conntrack -L` prints (STYLE.md "Typed over stringly"). Pure; test/unit/manager-conntrack.test.ts
// pins both.
import { isIP } from "node:net";
import type { ConntrackEntry, ConntrackTuple } from "../api/gen/kdiag.ts";

import { conntrackProtocols, type ConntrackFilter, type ConntrackProtocol } from "../api/conntrack-filter.ts";


export type ConntrackAction = "list" | "delete";

/**
 * The argument vectors one filter takes: conntrack lists one address family per run, and a
 * destination port means nothing without a protocol, so "port 53 of any protocol" is a TCP run
 * and a UDP run.
 */
export function buildConntrackArgs(action: ConntrackAction, filter: ConntrackFilter): string[][] {
  const families = filter.destination === undefined ? ["ipv4", "ipv6"] : [isIP(filter.destination) === 6 ? "ipv6" : "ipv4"];
  const protocols: Array<ConntrackProtocol | undefined> = filter.protocol ? [filter.protocol] : filter.port === undefined ? [undefined] : [...conntrackProtocols];
  return families.flatMap((family) =>
    protocols.map((protocol) => [
      action === "list" ? "-L" : "-D",
      "-f",
      family,
      ...(protocol === undefined ? [] : ["-p", protocol]),
      ...(filter.destination === undefined ? [] : ["-d", filter.destination]),
      ...(filter.port === undefined ? [] : ["--dport", String(filter.port)]),
    ]),
  );
}

/** The count in conntrack's closing line ("… 3 flow entries have been deleted."), if there is one. */
export function parseDeletedCount(stderr: string): number | undefined {
  const match = /(\d+) flow entries have been deleted/.exec(stderr);
  return match ? Number(match[1]) : undefined;
}

/** The entries of a `conntrack -L` listing; lines it does not recognise are skipped. */
export function parseConntrackListing(text: string): ConntrackEntry[] {
  return text.split("\n").flatMap((line) => {
    const entry = parseConntrackLine(line);
    return entry ? [entry] : [];
  });
}

// `udp 17 29 src=10.0.0.5 dst=10.96.0.10 sport=40000 dport=53 [UNREPLIED] src=… mark=0 use=1`;
// TCP has its state after the timeout. The first src/dst/sport/dport are the original direction,
// the second the reply's.
export function parseConntrackLine(line: string): ConntrackEntry | undefined {
  const [protocol, protocolNumber, timeout, ...rest] = line.trim().split(/\s+/);
  if (!protocol || !/^\d+$/.test(protocolNumber ?? "") || !/^\d+$/.test(timeout ?? "")) return undefined;
  const entry: ConntrackEntry = { protocol, state: "", timeoutSeconds: Number(timeout), original: emptyTuple(), reply: emptyTuple(), flags: [], mark: 0 };
  let tuple: ConntrackTuple = entry.original!;
  let sawSource = false;
  for (const word of rest) {
    const flag = /^\[(\w+)\]$/.exec(word);
    if (flag) {
      entry.flags.push(flag[1]!);
      continue;
    }
    const equals = word.indexOf("=");
    if (equals < 0) {
      if (!sawSource) entry.state = word;
      continue;
    }
    const key = word.slice(0, equals);
    const value = word.slice(equals + 1);
    switch (key) {
      case "src":
        if (sawSource) tuple = entry.reply!;
        sawSource = true;
        tuple.source = value;
        break;
      case "dst":
        tuple.destination = value;
        break;
      case "sport":
        tuple.sourcePort = Number(value) || 0;
        break;
      case "dport":
        tuple.destinationPort = Number(value) || 0;
        break;
      case "mark":
        entry.mark = Number(value) || 0;
        break;
    }
  }
  return sawSource ? entry : undefined;
}

function emptyTuple(): ConntrackTuple {
  return { source: "", destination: "", sourcePort: 0, destinationPort: 0 };
}
