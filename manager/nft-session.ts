// A long-lived `nft -i` child fed through a pipe. It holds the netlink socket that owns kdiag's
// table, so the table lives exactly as long as this process (and, through the pipe, the manager).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { addSyncMarker } from "./nft-commands.ts";

export interface RuleRunner {
  // Runs one nft command line as one transaction; rejects with nft's error message.
  run(line: string): Promise<void>;
}

export interface NftSessionOptions {
  // The command that runs nft, ["nft"] unless told (["ip", "netns", "exec", ns, "nft"]).
  nft?: string[];
  // How long nft may take to answer one command, counted from the moment it is written to nft.
  timeoutMs?: number;
}

interface Command {
  line: string;
  resolve: () => void;
  reject: (error: Error) => void;
}

const defaultTimeoutMs = 10_000;

export class NftSession implements RuleRunner {
  readonly pid: number;
  // Resolves with the reason once nft is gone (and the kernel has dropped the owned table).
  readonly exited: Promise<Error>;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #timeoutMs: number;
  // Commands wait here until the one before them has answered: nft sees one at a time.
  readonly #queue: Command[] = [];
  #current: { command: Command; marker: string; timer: NodeJS.Timeout } | undefined;
  #lines: string[] = [];
  #partial = "";
  #count = 0;
  #exited: Error | undefined;

  private constructor(child: ChildProcessWithoutNullStreams, timeoutMs: number) {
    this.#child = child;
    this.#timeoutMs = timeoutMs;
    this.pid = child.pid ?? 0;
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (chunk: string) => this.#readStderr(chunk));
    child.stdout.resume();
    child.stdin.on("error", () => {}); // a dead nft is reported through "exit" below
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        const error = new Error(`nft exited (${signal ?? `code ${code}`})`);
        this.#fail(error);
        resolve(this.#exited ?? error);
      }),
    );
  }

  static async start(options: NftSessionOptions = {}): Promise<NftSession> {
    const [command = "nft", ...args] = options.nft ?? ["nft"];
    const child = spawn(command, [...args, "-i"], { stdio: ["pipe", "pipe", "pipe"] });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", (error) => reject(new Error(`cannot run nft: ${error.message}`)));
    });
    return new NftSession(child, options.timeoutMs ?? defaultTimeoutMs);
  }

  run(line: string): Promise<void> {
    if (this.#exited) return Promise.reject(this.#exited);
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line, resolve, reject });
      this.#writeNext();
    });
  }

  // Closing stdin makes nft exit, and the kernel drops the owned table with it.
  async close(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise((resolve) => this.#child.once("exit", resolve));
    this.#child.stdin.end();
    await exited;
  }

  // nft -i answers nothing on success. To learn how a line went, a command that fails in a
  // known way follows it; any error printed before that marker's own error belongs to the line.
  #writeNext(): void {
    if (this.#current || this.#exited) return;
    const command = this.#queue.shift();
    if (!command) return;
    const marker = `kdiag_sync_${this.pid}_${++this.#count}`;
    const timer = setTimeout(() => this.#fail(new Error(`nft did not answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    this.#current = { command, marker, timer };
    this.#child.stdin.write(`${command.line}\n${addSyncMarker(marker)}\n`);
  }

  #readStderr(chunk: string): void {
    const lines = (this.#partial + chunk).split("\n");
    this.#partial = lines.pop() ?? "";
    for (const line of lines) this.#readLine(line);
  }

  #readLine(line: string): void {
    const current = this.#current;
    if (!current || !line.includes(current.marker)) {
      this.#lines.push(line);
      return;
    }
    // The marker's own "Error: No such file or directory" is the last error line before it.
    const errors = this.#lines.filter((text) => text.startsWith("Error: "));
    errors.pop();
    this.#lines = [];
    this.#current = undefined;
    clearTimeout(current.timer);
    if (errors.length === 0) current.command.resolve();
    else current.command.reject(new Error(errors.map((text) => text.slice("Error: ".length)).join("; ")));
    this.#writeNext();
  }

  // The first reason wins: a timeout's SIGKILL is reported as the timeout, not as the kill.
  #fail(error: Error): void {
    this.#exited ??= error;
    if (this.#current) {
      clearTimeout(this.#current.timer);
      this.#current.command.reject(this.#exited);
      this.#current = undefined;
    }
    for (const command of this.#queue.splice(0)) command.reject(this.#exited);
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill("SIGKILL");
  }
}
