// `kubectl kdiag redir`: flags only; the work is in pkg/redir.
import type { Argv, CommandModule } from "yargs";
import { toRedirConfig, type RedirArgv } from "../../pkg/redir/config.ts";

export const redirCommand: CommandModule<object, RedirArgv> = {
  command: "redir [ports..]",
  describe: "Send a pod's traffic for some ports to this machine (a reverse port-forward)",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional("ports", {
        type: "string",
        array: true,
        describe: "PODPORT[:LOCALPORT]; none: every TCP port the pod listens on outside loopback",
      })
      .option("pod", { type: "string", requiresArg: true, describe: "The pod, by name" })
      .option("selector", { alias: "l", type: "string", requiresArg: true, describe: "The newest Running pod matching this selector" })
      .option("target", { alias: "t", type: "string", requiresArg: true, describe: "Container whose processes are listed (default: the first)" })
      .option("outgoing", { type: "boolean", describe: "Redirect the connections the pod makes to PODPORT instead of those it receives" })
      .option("image", { type: "string", requiresArg: true, describe: "kdiag manager image" })
      .option("pull-policy", { type: "string", requiresArg: true, describe: "Pull policy of the manager image" })
      .option("timeout", { type: "string", requiresArg: true, describe: "How long to wait for the manager to start" })
      .option("quiet", { alias: "q", type: "boolean", describe: "No progress and no line per redirected connection" })
      .example("$0 redir -l app=server 8080:9090", "connections to port 8080 of the pod go to localhost:9090 here")
      .example("$0 redir --pod client-0 --outgoing 80:8080", "connections the pod makes to any host's port 80 come here to 8080")
      .epilog("Ctrl-C or SIGTERM removes the redirects from the pod before kdiag exits.") as Argv<RedirArgv>,
  handler: async (argv) => {
    const config = toRedirConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runRedirCommand } = await import("../../pkg/redir/main.ts");
    process.exitCode = await runRedirCommand(config);
  },
};
