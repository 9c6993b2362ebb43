// `rules`: a pod's (or, with --node, a node's) iptables and nftables rules, a Service's
// kube-proxy rules on a node, or (--conntrack) the conntrack entries. Every flag is checked here,
// before any manager is injected or debug pod created. Pure; test/unit/rules.test.ts.
import { isIP } from "node:net";
import { conntrackProtocols, type ConntrackFilter } from "../../../api/conntrack-filter.ts";
import { UsageError } from "../../errors.ts";
import { toPodSelection, type PodSelection } from "../../kube/pod-selection.ts";
import { dataFormats } from "../../output/data-formats.ts";
import { toManagerConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";
import type { ServiceRef } from "./service-target.ts";

export const rulesOutputs = ["text", ...dataFormats] as const;
export type RulesOutput = (typeof rulesOutputs)[number];

export interface RuleFilter {
  /** An iptables table (`*nat`) or an nftables table of any family (`table inet T`). */
  table?: string;
  chain?: string;
}

export type RulesMode =
  | { kind: "rules"; filter: RuleFilter }
  | { kind: "service"; service: ServiceRef }
  | { kind: "conntrack"; filter: ConntrackFilter }
  | { kind: "conntrack-delete"; filter: ConntrackFilter; yes: boolean };

/** Where the rules are read: a pod's manager, or one in a host-network debug pod on a node. */
export type RulesPlace = { kind: "pod"; selection: PodSelection } | { kind: "node"; node: string };

export interface RulesArgs extends PodCommandArgs {
  node?: string;
  service?: string;
  table?: string;
  chain?: string;
  conntrack?: boolean;
  conntrackDelete?: boolean;
  proto?: string;
  dst?: string;
  dport?: string | number;
  yes?: boolean;
  output?: string;
}

export interface RulesConfig extends Omit<PodCommandConfig, "selection"> {
  place: RulesPlace;
  mode: RulesMode;
  output: RulesOutput;
}

// Names iptables and nft accept, without anything a shell or a terminal would act on.
const tableOrChainName = /^[A-Za-z0-9_.-]{1,64}$/;

export function toRulesConfig(argv: RulesArgs): RulesConfig {
  const output = rulesOutputs.find((candidate) => candidate === (argv.output ?? "text"));
  if (!output) throw new UsageError(`-o \`${argv.output}\` is not an output format; use one of ${rulesOutputs.join(", ")}`);
  // The mode first: `--service` without `--node` is told what it lacks, not to choose a pod.
  const mode = toMode(argv);
  return { ...toManagerConfig(argv, "rules"), place: toPlace(argv), mode, output };
}

// Node names are DNS subdomains (RFC 1123); Service, namespace and port names DNS labels.
const nodeName = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const label = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

function toPlace(argv: RulesArgs): RulesPlace {
  if (argv.node === undefined) return { kind: "pod", selection: toPodSelection(argv) };
  const given = (["pod", "selector", "target"] as const).find((flag) => argv[flag] !== undefined);
  if (given) throw new UsageError(`--node reads the node's rules through kdiag's own debug pod; drop ${given === "selector" ? "-l" : given === "target" ? "-t" : "--pod"}`);
  const node = argv.node.trim();
  if (!nodeName.test(node)) throw new UsageError(`--node \`${argv.node}\` is not a node name`);
  return { kind: "node", node };
}

function toMode(argv: RulesArgs): RulesMode {
  if (argv.service !== undefined) return toServiceMode(argv);
  const conntrack = argv.conntrack === true || argv.conntrackDelete === true;
  if (argv.yes && !argv.conntrackDelete) throw new UsageError("--yes confirms --conntrack-delete; it means nothing without it");
  if (!conntrack) {
    const stray = (["proto", "dst", "dport"] as const).find((flag) => argv[flag] !== undefined);
    if (stray) throw new UsageError(`--${stray} filters conntrack entries; add --conntrack (or --conntrack-delete)`);
    return { kind: "rules", filter: { table: toName(argv.table, "--table"), chain: toName(argv.chain, "--chain") } };
  }
  if (argv.table !== undefined || argv.chain !== undefined) {
    throw new UsageError(`--${argv.table !== undefined ? "table" : "chain"} filters rules, not conntrack entries; filter those with --proto, --dst and --dport`);
  }
  const filter = toConntrackFilter(argv);
  if (argv.conntrackDelete && filter.destination === undefined && filter.port === undefined) {
    throw new UsageError("--conntrack-delete needs --dst or --dport: without them it would flush every entry");
  }
  return argv.conntrackDelete ? { kind: "conntrack-delete", filter, yes: argv.yes === true } : { kind: "conntrack", filter };
}

function toServiceMode(argv: RulesArgs): RulesMode {
  if (argv.node === undefined) throw new UsageError("--service needs --node NODE: a Service's kube-proxy rules are read on a node");
  const other = (["table", "chain", "conntrack", "conntrackDelete", "proto", "dst", "dport", "yes"] as const).find((flag) => argv[flag] !== undefined);
  if (other) throw new UsageError(`--service picks the rules itself; drop --${other.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  return { kind: "service", service: toServiceRef(argv.service ?? "") };
}

/** `[NS/]NAME[:PORT]`; PORT is the Service's port number or its name. */
export function toServiceRef(text: string): ServiceRef {
  const match = /^(?:([^/:]+)\/)?([^/:]+)(?::([^/:]+))?$/.exec(text.trim());
  const [, namespace, name, port] = match ?? [];
  if (!name || !label.test(name) || (namespace !== undefined && !label.test(namespace))) {
    throw new UsageError(`--service \`${text}\` is not a Service; use NAME, NAMESPACE/NAME or either with :PORT`);
  }
  const ref: ServiceRef = { name, ...(namespace !== undefined ? { namespace } : {}) };
  if (port === undefined) return ref;
  if (/^\d+$/.test(port)) {
    const number = Number(port);
    if (number < 1 || number > 65535) throw new UsageError(`port \`${port}\` in \`--service ${text}\` is out of range (1–65535)`);
    return { ...ref, port: number };
  }
  if (!label.test(port) || port.length > 15) throw new UsageError(`port \`${port}\` in \`--service ${text}\` is not a port number or name`);
  return { ...ref, port };
}

function toName(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!tableOrChainName.test(value)) throw new UsageError(`${flag} \`${value}\` is not a table or chain name (letters, digits, _ . -; at most 64)`);
  return value;
}

export function toConntrackFilter(argv: Pick<RulesArgs, "proto" | "dst" | "dport">): ConntrackFilter {
  const filter: ConntrackFilter = {};
  if (argv.proto !== undefined) {
    const protocol = conntrackProtocols.find((candidate) => candidate === argv.proto?.toLowerCase());
    if (!protocol) throw new UsageError(`--proto \`${argv.proto}\` is not a protocol; use one of ${conntrackProtocols.join(", ")}`);
    filter.protocol = protocol;
  }
  if (argv.dst !== undefined) {
    if (isIP(argv.dst) === 0) throw new UsageError(`--dst \`${argv.dst}\` is not an IP address`);
    filter.destination = argv.dst;
  }
  if (argv.dport !== undefined) {
    const text = String(argv.dport);
    if (!/^\d+$/.test(text)) throw new UsageError(`--dport \`${text}\` is not a port number`);
    const port = Number(text);
    if (port < 1 || port > 65535) throw new UsageError(`--dport \`${text}\` is out of range (1–65535)`);
    filter.port = port;
  }
  return filter;
}
