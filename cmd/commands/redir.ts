// `kubectl kdiag redir`: flags only; the work is in pkg/redir.
import type { Argv, CommandModule, Options } from "yargs";
import { toRedirConfig, type RedirArgv } from "../../pkg/commands/redir/config.ts";
import { addPodOptions } from "../options.ts";

/** redir's own flags (cmd/direct-command.ts reads them too). */
export const redirOptions = {
  outgoing: { type: "boolean", describe: "Redirect the connections the pod makes to PODPORT instead of those it receives" },
  "redirect-node-traffic": {
    type: "boolean",
    describe: "On a hostNetwork pod, redirect anyway: the rules then take the node's own traffic for PODPORT",
  },
} as const satisfies Record<string, Options>;

export const redirCommand: CommandModule<object, RedirArgv> = {
  command: "redir [ports..]",
  describe: "Send a pod's traffic for some ports to this machine (a reverse port-forward)",
  builder: (yargs: Argv<object>) =>
    addPodOptions(yargs)
      .positional("ports", {
        type: "string",
        describe: "PODPORT[:LOCALPORT]; none: every TCP port the pod listens on outside loopback",
      })
      .options(redirOptions)
      .example("$0 redir -l app=server 8080:9090", "connections to port 8080 of the pod go to localhost:9090 here")
      .example("$0 redir --pod client-0 --outgoing 80:8080", "connections the pod makes to any host's port 80 come here to 8080")
      .epilog("Ctrl-C or SIGTERM removes the redirects from the pod before kdiag exits.") as Argv<RedirArgv>,
  handler: async (argv) => {
    const config = toRedirConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runRedirCommand } = await import("../../pkg/commands/redir/main.ts");
    process.exitCode = await runRedirCommand(config);
  },
};
