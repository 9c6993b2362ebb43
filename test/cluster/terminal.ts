// A kubectl in a real pseudo-terminal (node-pty), for `exec -it` and `debug -it`.
import pty from "node-pty";
import { kubeconfigPath, kubectlEnv, kubectlPath } from "./kube.ts";

export interface Terminal {
  /** Everything the terminal showed since the last clear(). */
  screen(): string;
  clear(): void;
  write(text: string): void;
  resize(columns: number, rows: number): void;
  /** Resolves when the screen matches PATTERN; rejects after TIMEOUTMS with what it shows. */
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
  exitCode: Promise<number>;
  kill(): void;
}

/** A shell prompt ending the screen, with any cursor query or clear-to-end ash adds after it. */
export const promptPattern = /# (\x1b\[6n|\x1b\[J)*$/;

export function openKubectlTerminal(args: string[], size = { columns: 80, rows: 24 }): Terminal {
  const term = pty.spawn(kubectlPath, ["--kubeconfig", kubeconfigPath, ...args], {
    name: "xterm",
    cols: size.columns,
    rows: size.rows,
    env: kubectlEnv({ TERM: "xterm" }) as Record<string, string>,
  });
  let screen = "";
  term.onData((data) => {
    screen += data;
    // Answer a cursor position query (busybox ash sends one after its prompt) as a terminal does.
    if (data.includes("\x1b[6n")) term.write("\x1b[1;1R");
  });
  const exitCode = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  let exited = false;
  void exitCode.then(() => (exited = true));
  return {
    screen: () => screen,
    clear: () => (screen = ""),
    write: (text) => term.write(text),
    resize: (columns, rows) => term.resize(columns, rows),
    waitFor: async (pattern, what, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(screen)) {
        if (exited) throw new Error(`kubectl exited before ${what}; the terminal shows: ${JSON.stringify(screen.slice(-600))}`);
        if (Date.now() > deadline) {
          throw new Error(`no ${what} within ${timeoutMs / 1000} s; the terminal shows: ${JSON.stringify(screen.slice(-600))}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    exitCode,
    kill: () => {
      if (!exited) term.kill();
    },
  };
}
