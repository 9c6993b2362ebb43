// The lines of `nft list ruleset` that kube-proxy's nftables mode wrote for one Service, from its
// `ip kube-proxy` and `ip6 kube-proxy` tables: the chains whose names carry the Service port
// (`service-HASH-ns/name/tcp/http`, `external-…`, `local-…`, `firewall-…`, and each endpoint's
// `endpoint-HASH-ns/name/tcp/http__10.88.0.4/8080`) whole, and the elements of the maps and sets
// that lead to them or name the Service (`comment "ns/name:http"` in no-endpoint-services, its
// ClusterIP in service-ips and cluster-ips, its NodePort in service-nodeports). Kept blocks are
// printed as nft lists them, elements re-joined. Pure; test/unit/rules-service.test.ts with a
// real capture (test/unit/fixtures/kube-proxy/README.md says how it was made).
import { namesServicePort } from "./service-iptables.ts";
import { toServicePortName, type ServiceTarget } from "./service-target.ts";

interface NftBlock {
  kind: string;
  name: string;
  lines: string[];
}

export function selectServiceNftLines(dump: string, target: ServiceTarget): string[] {
  const chainNames = target.ports.map((port) => `${target.namespace}/${target.name}/${port.protocol}/${port.name}`);
  const isServiceChain = (chain: string) => {
    const base = /^[a-z]+-[A-Z2-7]{8}-(.*)$/.exec(chain)?.[1];
    return base !== undefined && chainNames.some((name) => base === name || base.startsWith(`${name}__`));
  };
  const keepElement = createElementMatcher(target, isServiceChain);
  return splitKubeProxyTables(dump).flatMap(({ header, blocks }) => {
    const kept = blocks.flatMap((block): string[][] => {
      if (block.kind === "chain" || block.kind === "set" || block.kind === "map") {
        if (isServiceChain(block.name)) return [block.lines];
      }
      if (block.kind !== "set" && block.kind !== "map") return [];
      const filtered = filterElements(block, keepElement);
      return filtered ? [filtered] : [];
    });
    if (kept.length === 0) return [];
    return [header, ...kept.flatMap((lines, index) => (index === 0 ? lines : ["", ...lines])), "}"];
  });
}

function createElementMatcher(target: ServiceTarget, isServiceChain: (chain: string) => boolean): (element: string) => boolean {
  const names = target.ports.map((port) => toServicePortName(target, port));
  const keys = new Set([
    ...target.addresses,
    ...target.ports.flatMap((port) => target.addresses.map((address) => `${address} . ${port.protocol} . ${port.port}`)),
    ...target.ports.flatMap((port) => (port.nodePort ? [`${port.protocol} . ${port.nodePort}`] : [])),
  ]);
  return (element) => {
    const verdict = /:\s*(?:goto|jump)\s+(\S+)\s*$/.exec(element)?.[1];
    if (verdict !== undefined && isServiceChain(verdict)) return true;
    const comment = /\scomment "((?:[^"\\]|\\.)*)"/.exec(element)?.[1];
    if (comment !== undefined && names.some((name) => namesServicePort(comment, name))) return true;
    const key = element.replace(/\scomment "(?:[^"\\]|\\.)*"/, "").replace(/\s*:\s*(?:goto|jump)\s+\S+\s*$/, "").trim();
    return keys.has(key);
  };
}

/** The block with only the kept elements (nft's layout: first after `{ `, the rest aligned below), or undefined when none is kept. */
function filterElements(block: NftBlock, keep: (element: string) => boolean): string[] | undefined {
  const start = block.lines.findIndex((line) => /^\t\telements = \{/.test(line));
  if (start === -1) return undefined;
  let end = start;
  while (end < block.lines.length - 1 && !/\}\s*$/.test(block.lines[end] ?? "")) end++;
  const body = block.lines.slice(start, end + 1).join(" ").replace(/^\s*elements = \{\s*/, "").replace(/\s*\}\s*$/, "");
  const elements = splitElements(body).filter(keep);
  if (elements.length === 0) return undefined;
  const list = elements.map((element, index) => (index === 0 ? `\t\telements = { ${element}` : `\t\t\t     ${element}`)).join(",\n") + " }";
  return [...block.lines.slice(0, start), ...list.split("\n"), ...block.lines.slice(end + 1)];
}

/** Elements are separated by commas outside quotes and braces (a comment is anyone's text). */
function splitElements(body: string): string[] {
  const elements: string[] = [];
  let current = "";
  let quoted = false;
  let depth = 0;
  for (let index = 0; index < body.length; index++) {
    const char = body[index] ?? "";
    if (quoted && char === "\\") {
      current += char + (body[index + 1] ?? "");
      index++;
      continue;
    }
    if (char === '"') quoted = !quoted;
    if (!quoted && char === "{") depth++;
    if (!quoted && char === "}") depth--;
    if (!quoted && depth === 0 && char === ",") {
      elements.push(current.trim());
      current = "";
      continue;
    }
    current += char;
  }
  if (current.trim() !== "") elements.push(current.trim());
  return elements.map((element) => element.replace(/\s+/g, " "));
}

function splitKubeProxyTables(dump: string): Array<{ header: string; blocks: NftBlock[] }> {
  const tables: Array<{ header: string; blocks: NftBlock[] }> = [];
  let table: { header: string; blocks: NftBlock[] } | undefined;
  let block: NftBlock | undefined;
  for (const line of dump.split("\n")) {
    if (!table) {
      if (/^table (ip|ip6) kube-proxy \{$/.test(line)) {
        table = { header: line, blocks: [] };
        tables.push(table);
      }
      continue;
    }
    if (line === "}") {
      table = undefined;
      continue;
    }
    const opened = /^\t(\S+) (\S+) \{$/.exec(line);
    if (!block && opened) {
      block = { kind: opened[1]!, name: opened[2]!, lines: [line] };
      table.blocks.push(block);
      continue;
    }
    if (!block) continue;
    block.lines.push(line);
    if (line === "\t}") block = undefined;
  }
  return tables;
}
