// `kubectl kdiag reach`: flags only; the work is in pkg/commands/reach.
import type { Argv, CommandModule } from "yargs";
import { toReachConfig, defaultMaxSources, defaultProbeTimeout, reachOutputs, type ReachArgs } from "../../pkg/commands/reach/config.ts";
import { describeChoices, managerOptions, offerChoices } from "../options.ts";

export const reachCommand: CommandModule<object, ReachArgs> = {
  command: "reach [destinations..]",
  describe: "Who reaches whom: a matrix of connections dialled from inside each source pod",
  builder: (yargs: Argv<object>) =>
    yargs
      .positional("destinations", { type: "string", array: true, describe: "pods | svc/NAME[:PORT] | nodeport/NAME[:PORT] | HOST:PORT[/udp]" })
      .option("selector", { alias: "l", type: "string", requiresArg: true, describe: "Source pods: every Running pod matching SELECTOR (repeatable)" })
      .option("pod", { type: "string", requiresArg: true, describe: "Source pod by name (repeatable)" })
      .option("all", { type: "boolean", describe: "Source pods: every Running pod of the namespace" })
      .option("to", { type: "string", requiresArg: true, describe: "A destination, as the positional ones (repeatable)" })
      .option("port", { type: "string", requiresArg: true, describe: "The port the `pods` destination dials, e.g. 8080 or 53/udp" })
      .option("dns", { type: "boolean", describe: "Also dial each svc/NAME as NAME.NAMESPACE.svc.cluster.local through the pod's resolver" })
      .option("http", { type: "boolean", describe: "Send GET / over TCP and show the first line of each answer under the matrix" })
      .option("latency", { type: "boolean", describe: "Milliseconds to connect instead of `.`" })
      .option("probe-timeout", { type: "string", requiresArg: true, describe: "How long each probe may take (at most 10s)", defaultDescription: defaultProbeTimeout })
      .option("max-sources", { type: "string", requiresArg: true, describe: "Refuse when more pods than this are sources (each gets kdiag's container)", defaultDescription: String(defaultMaxSources) })
      .option("expect", { type: "string", requiresArg: true, describe: "A matrix as reach prints it; print expected, observed and the comparison, exit 1 on a difference" })
      .option("output", offerChoices(reachOutputs, { alias: "o", type: "string", requiresArg: true, describe: `Output format: ${describeChoices(reachOutputs)}`, defaultDescription: "table" }))
      .options(managerOptions)
      .example("$0 reach -l app=web pods --port 8080", "every app=web pod to every other on 8080")
      .example("$0 reach --all svc/echo nodeport/echo --http", "every pod to the Service and each node's NodePort, with who answered")
      .example("$0 reach -l app=web pods --port 8080 --expect baseline.txt", "compare with a saved run; exit 1 on a difference")
      .epilog("Cells: . reachable, X not (refused, timeout, unreachable), ? unknown (a UDP probe without a reply, or no probe from that source).") as Argv<ReachArgs>,
  handler: async (argv) => {
    const config = toReachConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runReachCommand } = await import("../../pkg/commands/reach/main.ts");
    process.exitCode = await runReachCommand(config);
  },
};
