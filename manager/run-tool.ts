// Runs one of the image's tools as a child of the manager, with an argument vector (never a
// shell), a timeout and a cap on what is kept of its output: the pod decides how many rules and
// connections there are, and a manager must not hold an unbounded dump in memory or wait forever
// on a wedged netlink socket. Output past the cap is cut at the last whole line and the tool killed.
import { spawn } from "node:child_process";

export interface ToolRun {
  path: string;
  args: readonly string[];
  timeoutMs: number;
  maxBytes: number;
  /** Its stdout is not wanted: it goes nowhere and never counts against maxBytes. */
  discardStdout?: boolean;
}

export interface ToolResult {
  stdout: string;
  /** At most 4 KiB of it. */
  stderr: string;
  /** null when the tool was killed (timeout, cut output) or could not start. */
  exitCode: number | null;
  truncated: boolean;
  timedOut: boolean;
  /** Why it could not start (ENOENT, EACCES). */
  startError?: string;
}

const maxStderrBytes = 4096;

export function runTool(run: ToolRun): Promise<ToolResult> {
  return new Promise((resolve) => {
    const child = spawn(run.path, [...run.args], { stdio: ["ignore", run.discardStdout ? "ignore" : "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    let stdoutBytes = 0;
    let stderr = "";
    let truncated = false;
    let timedOut = false;
    let startError: string | undefined;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, run.timeoutMs);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (truncated) return;
      if (stdoutBytes + chunk.length > run.maxBytes) {
        stdout.push(chunk.subarray(0, run.maxBytes - stdoutBytes));
        truncated = true;
        child.kill("SIGKILL");
        return;
      }
      stdout.push(chunk);
      stdoutBytes += chunk.length;
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      if (stderr.length < maxStderrBytes) stderr += chunk.toString("utf8").slice(0, maxStderrBytes - stderr.length);
    });
    child.on("error", (error: NodeJS.ErrnoException) => {
      startError = error.code ?? error.message;
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      const text = Buffer.concat(stdout).toString("utf8");
      resolve({
        stdout: truncated ? text.slice(0, text.lastIndexOf("\n") + 1) : text,
        stderr,
        exitCode: truncated || timedOut ? null : code,
        truncated,
        timedOut,
        ...(startError === undefined ? {} : { startError }),
      });
    });
  });
}

/** One line on why a run failed, or undefined when it did not. */
export function describeToolFailure(run: Pick<ToolRun, "path" | "timeoutMs">, result: ToolResult): string | undefined {
  if (result.startError !== undefined) return `${run.path} could not be started (${result.startError})`;
  if (result.timedOut) return `${run.path} did not finish within ${run.timeoutMs / 1000} s`;
  if (result.exitCode === 0 || result.truncated) return undefined;
  const line = result.stderr.split("\n").find((candidate) => candidate.trim() !== "")?.trim();
  return `${run.path} exited with ${result.exitCode ?? "a signal"}${line ? `: ${line}` : ""}`;
}
