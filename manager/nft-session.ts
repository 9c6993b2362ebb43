// A long-lived `nft -i` child fed through a pipe. It holds the netlink socket that owns kdiag's
// table, so the table lives exactly as long as this process (and, through the pipe, the manager).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { addSyncMarker } from "./nft-commands.ts";

export interface RuleRunner {
  // Runs one nft command line as one transaction; rejects with nft's error message.
  run(line: string): Promise<void>;
}

interface Pending {
  marker: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

const commandTimeoutMs = 10_000;

export class NftSession implements RuleRunner {
  readonly pid: number;
  // Resolves with the reason once nft is gone (and the kernel has dropped the owned table).
  readonly exited: Promise<Error>;
  #child: ChildProcessWithoutNullStreams;
  #pending: Pending[] = [];
  #lines: string[] = [];
  #partial = "";
  #count = 0;
  #exited: Error | undefined;

  private constructor(child: ChildProcessWithoutNullStreams) {
    this.#child = child;
    this.pid = child.pid ?? 0;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => this.#readStderr(chunk));
    child.stdout.resume();
    child.stdin.on("error", () => {}); // a dead nft is reported through "exit" below
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        const error = new Error(`nft exited (${signal ?? `code ${code}`})`);
        this.#fail(error);
        resolve(error);
      }),
    );
  }

  // `nft`: the command that runs nft, ["nft"] unless told (["ip", "netns", "exec", ns, "nft"]).
  static async start(options: { nft?: string[] } = {}): Promise<NftSession> {
    const [command = "nft", ...args] = options.nft ?? ["nft"];
    const child = spawn(command, [...args, "-i"], { stdio: ["pipe", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) => reject(new Error(`cannot run nft: ${error.message}`)));
    });
    return new NftSession(child);
  }

  // nft -i answers nothing on success. To learn how a line went, a command that fails in a
  // known way follows it; any error printed before that marker's own error belongs to the line.
  run(line: string): Promise<void> {
    if (this.#exited) return Promise.reject(this.#exited);
    const marker = `kdiag_sync_${this.pid}_${++this.#count}`;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(new Error(`nft did not answer within ${commandTimeoutMs} ms`)), commandTimeoutMs);
      this.#pending.push({
        marker,
        resolve: () => (clearTimeout(timer), resolve()),
        reject: (error) => (clearTimeout(timer), reject(error)),
      });
      this.#child.stdin.write(`${line}\n${addSyncMarker(marker)}\n`);
    });
  }

  // Closing stdin makes nft exit, and the kernel drops the owned table with it.
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#child.stdin.end();
    await exited;
  }

  #readStderr(chunk: string): void {
    const lines = (this.#partial + chunk).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#readLine(line);
  }

  #readLine(line: string): void {
    const current = this.#pending[0];
    if (!current || !line.includes(current.marker)) {
      this.#lines.push(line);
      return;
    }
    // The marker's own "Error: No such file or directory" is the last error line before it.
    const errors = this.#lines.filter((text) => text.startsWith("Error: "));
    errors.pop();
    this.#lines = [];
    this.#pending.shift();
    if (errors.length === 0) current.resolve();
    else current.reject(new Error(errors.map((text) => text.slice("Error: ".length)).join("; ")));
  }

  #fail(error: Error): void {
    this.#exited ??= error;
    for (const pending of this.#pending.splice(0)) pending.reject(error);
    if (this.#child.exitCode === null) this.#child.kill("SIGKILL");
  }
}
