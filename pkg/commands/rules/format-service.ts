// What `rules --node N --service S` prints: the Service as the API describes it (addresses,
// ports, endpoints from its EndpointSlices) in `#` lines, then, per backend, only the rules that
// kube-proxy wrote for it (service-iptables.ts, service-nft.ts). The node's kube-proxy mode is
// read from its rules; in ipvs mode one line says that kdiag does not list ipvs tables. Pure;
// test/unit/rules-service.test.ts.
import type { RuleDump } from "../../../api/gen/kdiag.ts";
import { escapeControl } from "../../output/escape.ts";
import { foldQuotedNewlines } from "./dump-lines.ts";
import { escapeLine, titleBackend } from "./format-rules.ts";
import { selectServiceIptablesLines } from "./service-iptables.ts";
import { selectServiceNftLines } from "./service-nft.ts";
import { describePort, type ServicePortTarget, type ServiceTarget } from "./service-target.ts";

export const proxyModes = ["iptables", "nftables", "ipvs"] as const;
export type ProxyMode = (typeof proxyModes)[number];

export interface ServiceSection {
  dump: RuleDump;
  lines: string[];
}

export function selectServiceSections(dumps: readonly RuleDump[], target: ServiceTarget): ServiceSection[] {
  return dumps.map((dump) => {
    const text = foldQuotedNewlines(dump.text);
    return { dump, lines: dump.backend === "nft" ? selectServiceNftLines(text, target) : selectServiceIptablesLines(text, target) };
  });
}

/** The kube-proxy modes whose rules the node holds (two after a switch that left the old ones). */
export function detectProxyModes(dumps: readonly RuleDump[]): ProxyMode[] {
  const nft = dumps.some((dump) => dump.backend === "nft" && /^table ip6? kube-proxy \{/m.test(dump.text));
  const saved = dumps.filter((dump) => dump.backend !== "nft").map((dump) => dump.text);
  const ipvs = saved.some((text) => /^:KUBE-LOAD-BALANCER |--match-set KUBE-CLUSTER-IP /m.test(text));
  const iptables = !ipvs && saved.some((text) => /^:KUBE-SVC-|^:KUBE-SERVICES /m.test(text));
  return proxyModes.filter((mode) => ({ iptables, nftables: nft, ipvs })[mode]);
}

export function formatServiceRules(options: { node: string; target: ServiceTarget; modes: readonly ProxyMode[]; sections: readonly ServiceSection[] }): string {
  const { node, target, modes } = options;
  const mode = modes.length === 0 ? "no kube-proxy rules found" : `kube-proxy ${modes.join(" and ")} mode`;
  const policy = target.externalTrafficPolicy === "Local" ? ", externalTrafficPolicy Local" : "";
  const head = [
    `# Service ${target.namespace}/${target.name} (${target.type} ${target.addresses.join(", ") || "without addresses"}${policy}) on node ${node}, ${mode}`,
    ...target.ports.map((port) => `#   ${describePort(port)} -> ${port.targetPort}: ${describeEndpoints(port)}`),
  ];
  if (modes.includes("ipvs")) {
    head.push(`# kube-proxy runs in ipvs mode on node ${node}: kdiag does not list ipvs virtual servers (ipvsadm -Ln on the node does); the iptables rules that name the Service follow`);
  }
  const sections = options.sections.flatMap(({ dump, lines }) => {
    if (dump.error !== "") return [`# ${titleBackend(dump.backend)}: not read: ${escapeControl(dump.error)}\n`];
    if (lines.length === 0) return [];
    const cut = dump.truncated ? "\n# (cut: the dump is longer than kdiag's manager returns; rules may be missing)" : "";
    return [`# ${titleBackend(dump.backend)}\n${lines.map(escapeLine).join("\n")}${cut}\n`];
  });
  if (sections.length === 0) head.push(`# no rule on node ${node} names this Service: is kube-proxy running there, and has it synced since the Service changed?`);
  return [head.map(escapeControl).join("\n") + "\n", ...sections].join("\n");
}

function describeEndpoints(port: ServicePortTarget): string {
  if (port.endpoints.length === 0) return "no endpoints";
  return port.endpoints
    .map((endpoint) => {
      const host = endpoint.address.includes(":") ? `[${endpoint.address}]` : endpoint.address;
      const state = [endpoint.node, endpoint.ready ? undefined : "not ready", endpoint.terminating ? "terminating" : undefined].filter(Boolean).join(", ");
      return `${host}:${endpoint.port}${state ? ` (${state})` : ""}`;
    })
    .join(", ");
}

/** The `-o json|yaml` document (README: rules --node --service -o json). */
export interface ServiceRulesDocument {
  node: string;
  service: ServiceTarget;
  proxyModes: ProxyMode[];
  backends: Array<{ backend: string; text: string; error: string; truncated: boolean }>;
}

export function toServiceRulesDocument(options: { node: string; target: ServiceTarget; modes: readonly ProxyMode[]; sections: readonly ServiceSection[] }): ServiceRulesDocument {
  return {
    node: options.node,
    service: options.target,
    proxyModes: [...options.modes],
    backends: options.sections.map(({ dump, lines }) => ({
      backend: dump.backend,
      text: lines.map((line) => `${line}\n`).join(""),
      error: dump.error,
      truncated: dump.truncated,
    })),
  };
}
