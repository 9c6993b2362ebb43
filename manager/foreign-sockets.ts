// The sockets of a process of another uid, for ps. Under the baseline profile the manager runs as
// a uid of kdiag's own (so that the target cannot reach it) and may not read the target's fds;
// enter --socket-inodes, beside the manager in the image, becomes that process's user with its
// file capabilities and prints the inodes. A failure (restricted: no capability; a root process)
// is no sockets, as before.
import { fileURLToPath } from "node:url";
import { runTool } from "./run-tool.ts";

/** dist/manager.js and dist/enter sit side by side, in the image as in the build. */
const enterPath = fileURLToPath(new URL("./enter", import.meta.url));

export async function readForeignSocketInodes(pid: number): Promise<string[]> {
  const result = await runTool({ path: enterPath, args: ["--socket-inodes", String(pid)], timeoutMs: 2_000, maxBytes: 64 * 1024 });
  if (result.exitCode !== 0) return [];
  return result.stdout.split("\n").filter((line) => /^\d+$/.test(line));
}
