// The lines of an iptables-save dump that kube-proxy's iptables mode wrote for one Service: the
// rules that name it — a comment `ns/name:port …` ("cluster IP", "-> 10.0.0.4:80", "has no
// endpoints", "has no local endpoints"), or its ClusterIP and port, or its NodePort — in any
// chain and table (the REJECT and DROP ones are in *filter), then every per-Service chain those
// lead to (KUBE-SVC-, KUBE-SVL-, KUBE-EXT-, KUBE-FW-, KUBE-SEP-, older KUBE-XLB-), whole and
// transitively, so an endpoint chain shows even where a large cluster's kube-proxy leaves its
// rules without comments. Returned as iptables-save writes them: `*table`, the chains' `:`
// lines, the rules, `COMMIT`. Pure; test/unit/rules-service.test.ts with real captures.
import { toServicePortName, type ServiceTarget } from "./service-target.ts";

/** Chains kube-proxy makes per Service port or endpoint, named by a hash: safe to show whole. */
const perServiceChain = /^KUBE-(SVC|SVL|EXT|FW|SEP|XLB)-[A-Z0-9]+$/;

interface SaveTable {
  header: string;
  /** `:CHAIN POLICY [counters]` by chain name. */
  declarations: Map<string, string>;
  rules: Array<{ chain: string; text: string }>;
}

export function selectServiceIptablesLines(dump: string, target: ServiceTarget): string[] {
  const matches = createRuleMatcher(target);
  return parseSave(dump).flatMap((table) => {
    const kept = new Set<number>();
    const chains = new Set<string>();
    const follow = (chain: string) => {
      if (chains.has(chain) || !perServiceChain.test(chain)) return;
      chains.add(chain);
      table.rules.forEach((rule, index) => {
        if (rule.chain !== chain) return;
        kept.add(index);
        followJump(rule.text);
      });
    };
    const followJump = (text: string) => {
      const jump = /\s-[jg] (\S+)/.exec(text)?.[1];
      if (jump !== undefined) follow(jump);
    };
    table.rules.forEach((rule, index) => {
      if (!matches(rule.chain, rule.text)) return;
      kept.add(index);
      followJump(rule.text);
    });
    if (kept.size === 0) return [];
    const rules = table.rules.filter((_, index) => kept.has(index));
    const used = new Set(rules.map((rule) => rule.chain));
    const declarations = [...table.declarations].filter(([chain]) => used.has(chain) || chains.has(chain)).map(([, line]) => line);
    return [table.header, ...declarations, ...rules.map((rule) => rule.text), "COMMIT"];
  });
}

/** Does a rule (of CHAIN) name the Service by comment, by ClusterIP and port, or by NodePort? */
function createRuleMatcher(target: ServiceTarget): (chain: string, text: string) => boolean {
  const names = target.ports.map((port) => toServicePortName(target, port));
  const destinations = target.ports.flatMap((port) => target.addresses.map((address) => ({ address, port })));
  return (chain, text) => {
    const comment = readComment(text);
    if (comment !== undefined && names.some((name) => namesServicePort(comment, name))) return true;
    const destination = /\s-d (\S+?)\/(?:32|128)\s/.exec(text)?.[1];
    const dport = Number(/\s--dport (\d+)/.exec(text)?.[1]);
    const protocol = /\s-p (\S+)/.exec(text)?.[1];
    if (destination !== undefined && destinations.some(({ address, port }) => address === destination && port.port === dport && port.protocol === protocol)) return true;
    const nodePortChain = chain === "KUBE-NODEPORTS" || chain === "KUBE-EXTERNAL-SERVICES";
    return nodePortChain && target.ports.some((port) => port.nodePort === dport && port.protocol === protocol);
  };
}

/** kube-proxy's comment starts with (or, "pod traffic for ns/name:port …", contains) the name, as a word. */
export function namesServicePort(comment: string, name: string): boolean {
  let from = 0;
  for (let at = comment.indexOf(name, from); at !== -1; at = comment.indexOf(name, from)) {
    const before = at === 0 ? " " : comment[at - 1];
    const after = comment[at + name.length] ?? " ";
    if (before === " " && after === " ") return true;
    from = at + 1;
  }
  return false;
}

function readComment(text: string): string | undefined {
  const match = /\s--comment (?:"((?:[^"\\]|\\.)*)"|(\S+))/.exec(text);
  return match ? (match[1] ?? match[2]) : undefined;
}

function parseSave(dump: string): SaveTable[] {
  const tables: SaveTable[] = [];
  let current: SaveTable | undefined;
  for (const line of dump.split("\n")) {
    if (line.startsWith("*")) {
      current = { header: line, declarations: new Map(), rules: [] };
      tables.push(current);
    } else if (current && line.startsWith(":")) {
      current.declarations.set(line.slice(1).split(" ")[0] ?? "", line);
    } else if (current && line.startsWith("-A ")) {
      current.rules.push({ chain: line.split(" ")[1] ?? "", text: line });
    } else if (line === "COMMIT") {
      current = undefined;
    }
  }
  return tables;
}
