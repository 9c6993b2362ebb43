// Ps: the processes of the pid namespace whose /proc we see (the target container's, as an
// ephemeral container shares it) and the TCP/UDP addresses each listens on.
import { readdir, readFile, readlink } from "node:fs/promises";
import type { ListeningAddress, Process } from "../api/gen/kdiag.ts";
import { parseSocketInode, parseSocketTable, socketTables } from "./proc-net.ts";
import { parseCmdline, parseStat } from "./proc-stat.ts";

interface ListProcessesOptions {
  /** Left out together with their descendants (the manager itself and what it runs). */
  excludePids: number[];
  /** The socket inodes of a process whose fds we may not read (another uid): foreign-sockets.ts. */
  readForeignSockets?: (pid: number) => Promise<string[]>;
}

export async function listProcesses(options: ListProcessesOptions): Promise<Process[]> {
  const [pids, listening] = await Promise.all([readPids(), readListeningSockets()]);
  const processes: Process[] = [];
  for (const pid of pids) {
    const entry = await readProcess({ pid, listening, readForeignSockets: options.readForeignSockets });
    if (entry) processes.push(entry);
  }
  return excludeDescendants({ processes, excludePids: options.excludePids });
}

async function readPids(): Promise<number[]> {
  const entries = await readdir("/proc");
  return entries.filter((name) => /^\d+$/.test(name)).map(Number).sort((a, b) => a - b);
}

/** One read of each table: every process here shares the manager's network namespace. */
async function readListeningSockets(): Promise<Map<string, ListeningAddress>> {
  const all = new Map<string, ListeningAddress>();
  for (const table of socketTables) {
    // A kernel without IPv6 has no tcp6/udp6 table.
    const text = await readFile(`/proc/net/${table}`, "utf8").catch(() => "");
    for (const [inode, address] of parseSocketTable({ table, text })) all.set(inode, address);
  }
  return all;
}

/** Undefined when the process exits while we read it: a race, not an error. */
async function readProcess(options: {
  pid: number;
  listening: Map<string, ListeningAddress>;
  readForeignSockets?: (pid: number) => Promise<string[]>;
}): Promise<Process | undefined> {
  const { pid, listening } = options;
  try {
    const stat = parseStat(await readFile(`/proc/${pid}/stat`, "utf8"));
    const cmdline = parseCmdline(await readFile(`/proc/${pid}/cmdline`, "utf8"));
    const inodes = (await readSocketInodes(pid)) ?? (await options.readForeignSockets?.(pid)) ?? [];
    const addresses = inodes.flatMap((inode) => listening.get(inode) ?? []);
    return { pid, ppid: stat.ppid, name: stat.name, cmdline, listening: sortAddresses(addresses) };
  } catch (error) {
    if (isVanished(error)) return undefined;
    throw error;
  }
}

/** Undefined when we may not read its fds (EACCES: another uid); it is still listed. */
async function readSocketInodes(pid: number): Promise<string[] | undefined> {
  const fds = await readdir(`/proc/${pid}/fd`).catch((error: NodeJS.ErrnoException) => {
    if (error.code === "EACCES") return undefined;
    throw error;
  });
  if (fds === undefined) return undefined;
  const inodes = new Set<string>();
  for (const fd of fds) {
    // An fd closed since readdir is simply not there any more.
    const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => "");
    const inode = parseSocketInode(link);
    if (inode) inodes.add(inode);
  }
  return [...inodes];
}

function sortAddresses(addresses: ListeningAddress[]): ListeningAddress[] {
  return addresses.sort(
    (a, b) => a.protocol.localeCompare(b.protocol) || a.port - b.port || a.address.localeCompare(b.address),
  );
}

export function excludeDescendants(options: { processes: Process[]; excludePids: number[] }): Process[] {
  const excluded = new Set(options.excludePids);
  // Parents can have higher pids than their children once pids wrap, so repeat until stable.
  for (let grew = true; grew; ) {
    grew = false;
    for (const { pid, ppid } of options.processes) {
      if (!excluded.has(pid) && excluded.has(ppid)) {
        excluded.add(pid);
        grew = true;
      }
    }
  }
  return options.processes.filter(({ pid }) => !excluded.has(pid));
}

/** ENOENT: the /proc entry is gone; ESRCH: reading a dying process's entry. */
function isVanished(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ESRCH";
}
