// `kubectl kdiag rules`: flags only; the work is in pkg/commands/rules.
import type { Argv, CommandModule } from "yargs";
import { conntrackProtocols } from "../../api/conntrack-filter.ts";
import { rulesOutputs, type RulesArgs } from "../../pkg/commands/rules/config.ts";
import { addPodOptions, describeChoices, offerChoices } from "../options.ts";

export const rulesCommand: CommandModule<object, RulesArgs> = {
  command: "rules [options]",
  describe: "A pod's or a node's iptables and nftables rules (kdiag's marked), a Service's kube-proxy rules on a node, or conntrack entries",
  builder: (yargs: Argv<object>) =>
    addPodOptions(yargs)
      .option("node", { type: "string", requiresArg: true, describe: "Read this node's rules, through a short-lived host-network debug pod (kdiag-node-debug-…) in the namespace" })
      .option("service", { type: "string", requiresArg: true, describe: "With --node: only kube-proxy's rules for this Service, [NAMESPACE/]NAME[:PORT]" })
      .option("table", { type: "string", requiresArg: true, describe: "Only this table: *TABLE of iptables, table FAMILY TABLE of nftables" })
      .option("chain", { type: "string", requiresArg: true, describe: "Only this chain (with its table's first and last lines)" })
      .option("conntrack", { type: "boolean", describe: "The pod's conntrack entries instead of its rules" })
      .option("conntrack-delete", { type: "boolean", describe: "Delete the matching conntrack entries and print how many (asks first on a terminal)" })
      .option("proto", offerChoices(conntrackProtocols, { type: "string", requiresArg: true, describe: `Conntrack entries of this protocol: ${describeChoices(conntrackProtocols)}` }))
      .option("dst", { type: "string", requiresArg: true, describe: "Conntrack entries to this destination IP (original direction, e.g. a ClusterIP)" })
      .option("dport", { type: "string", requiresArg: true, describe: "Conntrack entries to this destination port (original direction)" })
      .option("yes", { alias: "y", type: "boolean", describe: "Delete without asking (needed when stdin is not a terminal)" })
      .option("output", offerChoices(rulesOutputs, { alias: "o", type: "string", requiresArg: true, describe: `Output format: ${describeChoices(rulesOutputs)}`, defaultDescription: "text" }))
      .example("$0 rules --pod web-0", "every backend's rules in web-0's network namespace, kdiag's ending in `# kdiag`")
      .example("$0 rules -l app=web --table nat --chain OUTPUT", "one chain of one table")
      .example("$0 rules --node worker-1 --service default/web", "the KUBE-SVC/KUBE-SEP chains (or nftables chains and map elements) kube-proxy made for Service web on worker-1")
      .example("$0 rules --node worker-1 --conntrack --dst 10.96.0.10", "the node's conntrack entries to a ClusterIP")
      .example("$0 rules --pod client --conntrack --proto udp --dport 53", "the pod's UDP conntrack entries to port 53")
      .example("$0 rules --pod client --conntrack-delete --proto udp --dst 10.96.0.10 --yes", "drop stale entries to a Service IP, without asking") as Argv<RulesArgs>,
  handler: async (argv) => {
    const { toRulesConfig } = await import("../../pkg/commands/rules/config.ts");
    const config = toRulesConfig(argv);
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runRulesCommand } = await import("../../pkg/commands/rules/main.ts");
    process.exitCode = await runRulesCommand(config);
  },
};
