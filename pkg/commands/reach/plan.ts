// From the user's destinations and what the cluster says about them (the source pods, the
// Services named, the nodes) to the matrix's columns: one label and one probe target each.
// Pure: every "that Service has no such port" is decided here and unit-tested.
import type { V1Node, V1Service, V1ServicePort } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";
import type { Destination, Protocol } from "./destinations.ts";

export interface SourcePod {
  namespace: string;
  name: string;
  node: string;
  ip: string;
}

export interface Column {
  label: string;
  host: string;
  port: number;
  protocol: Protocol;
  /** The node a pod column's pod runs on, or a nodeport column's node. */
  node?: string;
}

export interface PlanInput {
  destinations: Destination[];
  sources: SourcePod[];
  namespace: string;
  services: ReadonlyMap<string, V1Service>;
  nodes: V1Node[];
  podPort?: { port: number; protocol: Protocol };
  dns: boolean;
}

export function labelPod(pod: SourcePod): string {
  return `${pod.namespace}/${pod.name} (${pod.node})`;
}

export function planColumns(input: PlanInput): Column[] {
  return input.destinations.flatMap((destination): Column[] => {
    switch (destination.kind) {
      case "pods": {
        const podPort = input.podPort;
        if (!podPort) throw new KdiagError("the destination `pods` needs --port");
        return input.sources.map((pod) => ({ label: labelPod(pod), host: pod.ip, node: pod.node, ...podPort }));
      }
      case "service": {
        const service = requireService(input.services, destination.name);
        const port = pickServicePort(service, destination);
        const clusterIp = service.spec?.clusterIP;
        if (!clusterIp || clusterIp === "None") {
          throw new KdiagError(`Service \`${destination.name}\` is headless (no ClusterIP); reach its pods with \`pods\` or HOST:PORT`);
        }
        const label = destination.port === undefined ? `svc/${destination.name}` : `svc/${destination.name}:${destination.port}`;
        const protocol = toProtocol(port, destination.name);
        const byIp: Column = { label, host: clusterIp, port: port.port, protocol };
        if (!input.dns) return [byIp];
        const dnsName = `${destination.name}.${input.namespace}.svc.cluster.local`;
        return [byIp, { label: `${dnsName}:${port.port}`, host: dnsName, port: port.port, protocol }];
      }
      case "nodeport": {
        const service = requireService(input.services, destination.name);
        const port = pickServicePort(service, destination);
        if (!port.nodePort) {
          throw new KdiagError(`Service \`${destination.name}\` has no NodePort (type ${service.spec?.type ?? "ClusterIP"}); use svc/${destination.name}`);
        }
        const nodePort = port.nodePort;
        if (input.nodes.length === 0) throw new KdiagError("the cluster lists no nodes to dial the NodePort on");
        return input.nodes.map((node) => {
          const name = node.metadata?.name ?? "?";
          const address = findInternalIp(node);
          if (!address) throw new KdiagError(`node \`${name}\` has no InternalIP to dial the NodePort on`);
          return { label: `nodeport/${destination.name} (${name})`, host: address, port: nodePort, protocol: toProtocol(port, destination.name), node: name };
        });
      }
      case "address": {
        const host = destination.host.includes(":") ? `[${destination.host}]` : destination.host;
        const label = `${host}:${destination.port}${destination.protocol === "udp" ? "/udp" : ""}`;
        return [{ label, host: destination.host, port: destination.port, protocol: destination.protocol }];
      }
    }
  });
}

function requireService(services: ReadonlyMap<string, V1Service>, name: string): V1Service {
  const service = services.get(name);
  if (!service) throw new KdiagError(`Service \`${name}\` was not looked up`);
  return service;
}

function pickServicePort(service: V1Service, destination: { name: string; port?: string }): V1ServicePort {
  const ports = service.spec?.ports ?? [];
  const listed = ports.map((port) => (port.name ? `${port.name} (${port.port})` : String(port.port))).join(", ") || "none";
  if (destination.port === undefined) {
    const [only, ...more] = ports;
    if (only && more.length === 0) return only;
    throw new KdiagError(`Service \`${destination.name}\` has ${ports.length} ports; name one, e.g. svc/${destination.name}:${ports[0]?.port ?? 80} (its ports: ${listed})`);
  }
  const wanted = destination.port;
  const port = ports.find((candidate) => String(candidate.port) === wanted || candidate.name === wanted);
  if (!port) throw new KdiagError(`Service \`${destination.name}\` has no port \`${wanted}\`; its ports: ${listed}`);
  return port;
}

function toProtocol(port: V1ServicePort, service: string): Protocol {
  const protocol = (port.protocol ?? "TCP").toLowerCase();
  if (protocol === "tcp" || protocol === "udp") return protocol;
  throw new KdiagError(`port ${port.port} of Service \`${service}\` is ${port.protocol}; reach dials TCP and UDP only`);
}

// The first InternalIP: on a dual-stack node that is its IPv4 one.
function findInternalIp(node: V1Node): string | undefined {
  return node.status?.addresses?.find((address) => address.type === "InternalIP")?.address;
}
