// What `reach` dials, as the user writes it: `pods`, `svc/NAME[:PORT]`, `nodeport/NAME[:PORT]`
// or `HOST:PORT[/udp]`, parsed once into a union the rest dispatches on. Pure; unit-tested.
import { isIP } from "node:net";
import { UsageError } from "../../errors.ts";

export const protocols = ["tcp", "udp"] as const;
export type Protocol = (typeof protocols)[number];

export type Destination =
  /** The source pods themselves, by pod IP and --port. */
  | { kind: "pods" }
  /** A Service's ClusterIP; `port` is a number or a port name, absent when the Service has one port. */
  | { kind: "service"; name: string; port?: string }
  /** Every node's InternalIP at the Service's NodePort. */
  | { kind: "nodeport"; name: string; port?: string }
  | { kind: "address"; host: string; port: number; protocol: Protocol };

export const destinationHint = "use pods, svc/NAME[:PORT], nodeport/NAME[:PORT] or HOST:PORT[/udp]";

// A Kubernetes object name (DNS-1123 label or subdomain) and a port name (IANA_SVC_NAME).
const objectName = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const portName = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const hostName = /^[a-z0-9_]([-a-z0-9_.]*[a-z0-9_])?\.?$/i;

export function parseDestination(text: string): Destination {
  const trimmed = text.trim();
  if (trimmed === "pods") return { kind: "pods" };
  const service = /^(svc|service|nodeport)\/(.*)$/.exec(trimmed);
  if (service) return parseServiceDestination(trimmed, service[1] === "nodeport" ? "nodeport" : "service", service[2] ?? "");
  return parseAddress(trimmed);
}

function parseServiceDestination(text: string, kind: "service" | "nodeport", rest: string): Destination {
  const [name = "", port, ...extra] = rest.split(":");
  if (!objectName.test(name) || extra.length > 0) {
    throw new UsageError(`destination \`${text}\` does not name a Service; ${destinationHint}`);
  }
  if (port === undefined) return { kind, name };
  if (/^\d+$/.test(port)) return { kind, name, port: String(parsePort(port, text)) };
  if (!portName.test(port)) throw new UsageError(`port \`${port}\` in \`${text}\` is neither a number nor a port name`);
  return { kind, name, port };
}

function parseAddress(text: string): Destination {
  const [address = "", protocolText, ...extra] = text.split("/");
  const protocol = protocolText === undefined ? "tcp" : protocols.find((candidate) => candidate === protocolText.toLowerCase());
  if (!protocol || extra.length > 0) throw new UsageError(`destination \`${text}\` ends in an unknown protocol; ${destinationHint}`);
  const bracketed = /^\[([^\]]+)\]:([^:]*)$/.exec(address);
  const plain = /^([^:]+):([^:]*)$/.exec(address);
  const [, host = "", portText] = bracketed ?? plain ?? [];
  if (portText === undefined) throw new UsageError(`destination \`${text}\` has no port; ${destinationHint}`);
  if (bracketed ? isIP(host) !== 6 : isIP(host) === 0 && !hostName.test(host)) {
    throw new UsageError(`host \`${host}\` in \`${text}\` is neither an IP address nor a host name`);
  }
  return { kind: "address", host, port: parsePort(portText, text), protocol };
}

/** One port number, naming where it came from (`--port`, a destination) in any error. */
export function parsePort(text: string, source: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`port \`${text}\` in \`${source}\` is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new UsageError(`port \`${text}\` in \`${source}\` is out of range (1–65535)`);
  return port;
}

/** `--port 8080` or `--port 53/udp`: the port the `pods` destination dials. */
export function parsePodPort(text: string): { port: number; protocol: Protocol } {
  const [portText = "", protocolText = "tcp", ...extra] = text.split("/");
  const protocol = protocols.find((candidate) => candidate === protocolText.toLowerCase());
  if (!protocol || extra.length > 0) throw new UsageError(`--port \`${text}\` is not PORT or PORT/udp, e.g. 8080 or 53/udp`);
  return { port: parsePort(portText, `--port ${text}`), protocol };
}
