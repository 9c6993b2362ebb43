// `--help` as the build rendered it (scripts/render-help.mjs runs the bundle's own yargs for every
// command and stamps the text in as __KDIAG_HELP__), so that the most typed command needs neither
// yargs nor anything else loaded. Whenever yargs would print something else — a terminal
// narrower than the rendered width, yargs' messages in another language, a build that rendered
// nothing (the single executable) — there is no answer here and yargs prints the help itself.

import type { InvocationName } from "./invocation.ts";

/** Help texts by invocation name, then by arguments (`--help`, `shell --help`). */
export type RenderedHelp = Partial<Record<InvocationName, Record<string, string>>>;

/** The width cmd/kubectl-kdiag.ts gives yargs when the terminal is at least this wide (or none). */
export const renderedHelpWidth = 100;

export interface HelpRequest {
  invocation: InvocationName;
  args: string[];
  /** The terminal's width; undefined when stdout is not a terminal. */
  columns: number | undefined;
}

export function findRenderedHelp(request: HelpRequest, rendered: RenderedHelp | undefined = readStampedHelp()): string | undefined {
  const key = toHelpKey(request.args);
  if (key === undefined || rendered === undefined) return undefined;
  if (Math.min(renderedHelpWidth, request.columns || renderedHelpWidth) !== renderedHelpWidth) return undefined;
  return rendered[request.invocation]?.[key];
}

/** `--help`, `-h`, `shell --help`, `shell -h` → the key the build used; anything else: undefined. */
export function toHelpKey(args: string[]): string | undefined {
  const last = args.at(-1);
  if (last !== "--help" && last !== "-h") return undefined;
  const words = args.slice(0, -1);
  if (words.length > 1 || words.some((word) => word.startsWith("-"))) return undefined;
  return [...words, "--help"].join(" ");
}

function readStampedHelp(): RenderedHelp | undefined {
  return typeof __KDIAG_HELP__ === "object" ? (__KDIAG_HELP__ as RenderedHelp) : undefined;
}
