// Parsing of the kernel's socket tables (/proc/net/tcp, tcp6, udp, udp6) into the listening
// addresses Ps reports, keyed by socket inode so they can be matched to processes' fds.
import { endianness } from "node:os";
import type { ListeningAddress } from "../api/gen/kdiag.ts";

export const socketTables = ["tcp", "tcp6", "udp", "udp6"] as const;
export type SocketTable = (typeof socketTables)[number];

// include/net/tcp_states.h: a TCP socket in LISTEN, and the state a bound but unconnected UDP
// socket reports (TCP_CLOSE; a connected one reports ESTABLISHED).
const tcpListen = "0A";
const udpUnconnected = "07";

/** Maps socket inode → address for the sockets of `text` that accept traffic from anyone. */
export function parseSocketTable(options: { table: SocketTable; text: string }): Map<string, ListeningAddress> {
  const { table, text } = options;
  const wantedState = table.startsWith("tcp") ? tcpListen : udpUnconnected;
  const listening = new Map<string, ListeningAddress>();
  // First line is the header. Columns: sl local_address rem_address st ... uid timeout inode ...
  for (const line of text.split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    const [local, state, inode] = [fields[1], fields[3], fields[9]];
    if (local === undefined || state !== wantedState || inode === undefined || inode === "0") continue;
    const [hexAddress, hexPort] = local.split(":");
    if (hexAddress === undefined || hexPort === undefined) continue;
    const port = parseInt(hexPort, 16);
    // An unbound UDP socket shows port 0: it listens on nothing.
    if (port === 0) continue;
    listening.set(inode, { protocol: table, address: parseHexAddress(hexAddress), port });
  }
  return listening;
}

/**
 * The kernel prints an address as 32-bit words in host byte order ("%08X" each): one word for
 * IPv4, four for IPv6. Undo that per word, then format the bytes.
 */
export function parseHexAddress(hex: string, hostEndianness: "LE" | "BE" = endianness()): string {
  if (hex.length !== 8 && hex.length !== 32) throw new Error(`unexpected socket address "${hex}"`);
  const bytes: number[] = [];
  for (let word = 0; word < hex.length; word += 8) {
    const wordBytes = [0, 2, 4, 6].map((i) => parseInt(hex.slice(word + i, word + i + 2), 16));
    bytes.push(...(hostEndianness === "LE" ? wordBytes.reverse() : wordBytes));
  }
  return bytes.length === 4 ? bytes.join(".") : formatIpv6(bytes);
}

/** RFC 5952 text: lowercase, longest run of two or more zero groups as "::", ::ffff:a.b.c.d. */
export function formatIpv6(bytes: number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i]! << 8) | bytes[i + 1]!);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return `::ffff:${bytes.slice(12).join(".")}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && groups[start + length] === 0) length++;
    if (length > bestLength) [bestStart, bestLength] = [start, length];
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(":");
  return `${hex.slice(0, bestStart).join(":")}::${hex.slice(bestStart + bestLength).join(":")}`;
}

/** The inode of an fd's link target "socket:[12345]", or undefined for any other kind of fd. */
export function parseSocketInode(link: string): string | undefined {
  return /^socket:\[(\d+)\]$/.exec(link)?.[1];
}
