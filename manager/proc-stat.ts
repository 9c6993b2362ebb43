// Parsing of a process's /proc/PID/stat and /proc/PID/cmdline.

export interface ProcessStat {
  pid: number;
  ppid: number;
  name: string;
}

/**
 * "1234 (name) S 1 ...": the name is the kernel's comm, which may itself hold spaces and
 * parentheses, so it runs from the first "(" to the last ")".
 */
export function parseStat(text: string): ProcessStat {
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) throw new Error(`unexpected /proc stat line "${text.slice(0, 80)}"`);
  const rest = text.slice(close + 2).split(" ");
  return { pid: Number(text.slice(0, open).trim()), ppid: Number(rest[1]), name: text.slice(open + 1, close) };
}

/** NUL-separated arguments, with the trailing NUL; kernel threads have none. */
export function parseCmdline(text: string): string[] {
  const args = text.split("\0");
  if (args.at(-1) === "") args.pop();
  return args;
}
