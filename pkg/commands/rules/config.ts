// `rules`: the pod's iptables and nftables rules, or (--conntrack) its conntrack entries. Every
// flag is checked here, before any manager is injected. Pure; test/unit/rules-config.test.ts.
import { isIP } from "node:net";
import { UsageError } from "../../errors.ts";
import { dataFormats } from "../../output/data.ts";
import { toPodCommandConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";

export const rulesOutputs = ["text", ...dataFormats] as const;
export type RulesOutput = (typeof rulesOutputs)[number];

import { conntrackProtocols, type ConntrackFilter } from "../../../api/conntrack-filter.ts";


export interface RuleFilter {
  /** An iptables table (`*nat`) or an nftables table of any family (`table inet T`). */
  table?: string;
  chain?: string;
}

export type RulesMode =
  | { kind: "rules"; filter: RuleFilter }
  | { kind: "conntrack"; filter: ConntrackFilter }
  | { kind: "conntrack-delete"; filter: ConntrackFilter; yes: boolean };

export interface RulesArgs extends PodCommandArgs {
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

export interface RulesConfig extends PodCommandConfig {
  mode: RulesMode;
  output: RulesOutput;
}

// Names iptables and nft accept, without anything a shell or a terminal would act on.
const tableOrChainName = /^[A-Za-z0-9_.-]{1,64}$/;

export function toRulesConfig(argv: RulesArgs): RulesConfig {
  const output = rulesOutputs.find((candidate) => candidate === (argv.output ?? "text"));
  if (!output) throw new UsageError(`-o \`${argv.output}\` is not an output format; use one of ${rulesOutputs.join(", ")}`);
  return { ...toPodCommandConfig(argv, "rules"), mode: toMode(argv), output };
}

function toMode(argv: RulesArgs): RulesMode {
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
