// `kubectl kdiag shell`: flags only; the work is in pkg/commands/shell.
import type { Argv, CommandModule, Options } from "yargs";
import { toShellConfig, type ShellArgs } from "../../pkg/commands/shell/config.ts";
import { addPodOptions } from "../options.ts";

/** shell's own flags (cmd/direct-command.ts reads them too). */
export const shellOptions = {
  "privileged-programs": {
    type: "boolean",
    describe: "Run the container's own programs as root with all of kdiag's capabilities (default: as the container's user, with none; busybox applets always have them)",
  },
  wait: {
    type: "boolean",
    describe: "When the container is not running (CrashLoopBackOff, starting), wait for it and enter at its next start (Ctrl-C stops waiting)",
  },
} as const satisfies Record<string, Options>;

export const shellCommand: CommandModule<object, ShellArgs> = {
  command: "shell [options] [-- ash-args...]",
  describe: "Open a shell in a container, even one whose image has no shell",
  builder: (yargs: Argv<object>) =>
    addPodOptions(yargs)
      .options(shellOptions)
      .example("$0 shell -l app=web", "an interactive shell in the newest Running app=web pod")
      .example("$0 shell --pod api-0 --wait", "enter api-0's crash-looping container as soon as the kubelet restarts it")
      .example("$0 shell --pod db-0 -t sidecar -- -c 'ls /; cat /proc/1/cmdline'", "run a command in container sidecar")
      .epilog(
        "The shell is busybox ash from kdiag's image, run inside the target container's namespaces with its root as /. " +
          "Programs from the container's filesystem run as the container's user with no capability, unless --privileged-programs. " +
          "kdiag exits with the shell's exit code.",
      ) as Argv<ShellArgs>,
  handler: async (argv) => {
    const config = toShellConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runShellCommand } = await import("../../pkg/commands/shell/main.ts");
    process.exitCode = await runShellCommand(config);
  },
};
