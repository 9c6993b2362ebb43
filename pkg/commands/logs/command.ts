// Runs the user's command with the terminal's stdio and reports its exit code the way a shell
// does: a command killed by signal N yields 128+N.
import { constants } from "node:os";
import { execa } from "execa";
import { KdiagError } from "../../errors.ts";

export interface RunningCommand {
  /** The exit code (128+N when killed by signal N). */
  exitCode: Promise<number>;
  /** Passes a signal the CLI received on to the command. */
  signal(name: NodeJS.Signals): void;
}

export function signalExitCode(signal: string): number {
  const number = Object.entries(constants.signals).find(([name]) => name === signal)?.[1];
  return 128 + (number ?? 0);
}

export function startCommand(command: readonly string[]): RunningCommand {
  const [file, ...args] = command;
  if (file === undefined) throw new KdiagError("no command to run");
  const child = execa(file, args, { stdio: "inherit", reject: false });
  const exitCode = child.then((result) => {
    if (result.signal) return signalExitCode(result.signal);
    if (typeof result.exitCode === "number") return result.exitCode;
    // It never ran (not found, not executable): say so as the shell would, and exit 127/126.
    const notFound = result.code === "ENOENT";
    throw new KdiagError(`cannot run \`${file}\`: ${notFound ? "command not found" : result.shortMessage}`, {
      exitCode: notFound ? 127 : 126,
    });
  });
  return {
    exitCode,
    signal(name) {
      child.kill(name);
    },
  };
}
