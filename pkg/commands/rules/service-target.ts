// What `rules --node N --service S` looks for in a node's rules, read from the Service and its
// EndpointSlices: the names kube-proxy writes into its comments and chain names (`ns/name:port`,
// `ns/name/proto/port`), the addresses and ports its rules match, and the endpoints they lead to.
// Pure; test/unit/rules-service.test.ts.
import type { V1EndpointSlice, V1Service } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";

/** `--service [NS/]NAME[:PORT]` as parsed by config.ts; PORT is a number or a port's name. */
export interface ServiceRef {
  namespace?: string;
  name: string;
  port?: number | string;
}

export interface EndpointTarget {
  address: string;
  port: number;
  node?: string;
  ready: boolean;
  terminating: boolean;
}

export interface ServicePortTarget {
  /** The port's name; "" for a Service's single unnamed port. */
  name: string;
  /** Lower case, as kube-proxy's nftables chain names and iptables' `-p` write it. */
  protocol: string;
  port: number;
  nodePort?: number;
  targetPort: string;
  endpoints: EndpointTarget[];
}

export interface ServiceTarget {
  namespace: string;
  name: string;
  type: string;
  /** ClusterIPs, external IPs and load-balancer IPs: what kube-proxy's rules match as destinations. */
  addresses: string[];
  externalTrafficPolicy?: string;
  /** The selected ports (all of them unless --service named one). */
  ports: ServicePortTarget[];
}

export function toServiceTarget(service: V1Service, slices: readonly V1EndpointSlice[], port?: number | string): ServiceTarget {
  const namespace = service.metadata?.namespace ?? "";
  const name = service.metadata?.name ?? "";
  const spec = service.spec ?? {};
  const all = (spec.ports ?? []).map((servicePort) => {
    const protocol = (servicePort.protocol ?? "TCP").toLowerCase();
    const portName = servicePort.name ?? "";
    return {
      name: portName,
      protocol,
      port: servicePort.port,
      ...(servicePort.nodePort ? { nodePort: servicePort.nodePort } : {}),
      targetPort: String(servicePort.targetPort ?? servicePort.port),
      endpoints: findEndpoints(slices, portName, protocol),
    };
  });
  const ports = port === undefined ? all : all.filter((candidate) => candidate.port === port || (candidate.name !== "" && candidate.name === port));
  if (ports.length === 0) {
    const listed = all.map(describePort).join(", ") || "none";
    throw new KdiagError(`Service \`${namespace}/${name}\` has no port \`${port}\`; its ports: ${listed}`);
  }
  const addresses = [
    ...(spec.clusterIPs ?? (spec.clusterIP ? [spec.clusterIP] : [])).filter((address) => address !== "None"),
    ...(spec.externalIPs ?? []),
    ...(service.status?.loadBalancer?.ingress ?? []).flatMap((ingress) => (ingress.ip ? [ingress.ip] : [])),
  ];
  return {
    namespace,
    name,
    type: spec.type ?? "ClusterIP",
    addresses,
    ...(spec.externalTrafficPolicy ? { externalTrafficPolicy: spec.externalTrafficPolicy } : {}),
    ports,
  };
}

/** `http 80/TCP` (or `80/TCP` unnamed), with its NodePort. */
export function describePort(port: Pick<ServicePortTarget, "name" | "port" | "protocol" | "nodePort">): string {
  const text = `${port.name ? `${port.name} ` : ""}${port.port}/${port.protocol.toUpperCase()}`;
  return port.nodePort ? `${text} (NodePort ${port.nodePort})` : text;
}

/** kube-proxy's name of a Service port (its ServicePortName): `ns/name:port`, `ns/name` when unnamed. */
export function toServicePortName(target: Pick<ServiceTarget, "namespace" | "name">, port: Pick<ServicePortTarget, "name">): string {
  return `${target.namespace}/${target.name}${port.name ? `:${port.name}` : ""}`;
}

/** The EndpointSlices' addresses for one Service port (slices name their ports as the Service does). */
function findEndpoints(slices: readonly V1EndpointSlice[], portName: string, protocol: string): EndpointTarget[] {
  return slices.flatMap((slice) => {
    const slicePort = (slice.ports ?? []).find((candidate) => (candidate.name ?? "") === portName && (candidate.protocol ?? "TCP").toLowerCase() === protocol);
    if (!slicePort?.port) return [];
    return (slice.endpoints ?? []).flatMap((endpoint) =>
      endpoint.addresses.map((address) => ({
        address,
        port: slicePort.port!,
        ...(endpoint.nodeName ? { node: endpoint.nodeName } : {}),
        // An absent condition means true (EndpointConditions' documented default), except terminating.
        ready: endpoint.conditions?.ready !== false,
        terminating: endpoint.conditions?.terminating === true,
      })),
    );
  });
}
