// One redirected connection: the manager named a tunnel port in the pod; we port-forward to it,
// dial the local target and bridge the two. A local target that refuses is a warning and closes
// just this connection.
import type { Duplex } from "node:stream";
import type { RedirectResponse } from "../../../api/gen/kdiag.ts";
import { bridgeStreams } from "../../bridge.ts";
import type { PortPair } from "./ports.ts";

export interface ConnectionDeps {
  podName: string;
  /** A port-forwarded connection to a port in the pod. */
  openTunnel: (port: number) => Promise<Duplex>;
  /** A connection to 127.0.0.1:port on this machine. */
  dialLocal: (port: number) => Promise<Duplex>;
  /** A line per connection (suppressed with --quiet by the caller). */
  report: (message: string) => void;
  warn: (message: string) => void;
}

/** Bridges one connection; resolves when it is over (never rejects). */
export async function bridgeConnection(pair: PortPair, connection: RedirectResponse, deps: ConnectionDeps): Promise<void> {
  const from = connection.peer || "a peer";
  // Both at once: the peer in the pod is waiting, and each costs a round trip.
  const [local, tunnel] = await Promise.allSettled([deps.dialLocal(pair.localPort), deps.openTunnel(connection.port)]);
  if (local.status === "rejected" || tunnel.status === "rejected") {
    if (local.status === "fulfilled") local.value.destroy();
    if (tunnel.status === "fulfilled") tunnel.value.destroy();
    const reason =
      local.status === "rejected"
        ? `nothing accepts connections on localhost:${pair.localPort} (${describeDialError(local.reason)}); start the local server there`
        : `cannot reach the tunnel in pod ${deps.podName}: ${describeDialError(tunnel.status === "rejected" ? tunnel.reason : undefined)}`;
    deps.warn(`connection from ${from} to ${deps.podName}:${pair.podPort} closed: ${reason}`);
    return;
  }
  deps.report(`connection from ${from} to ${deps.podName}:${pair.podPort} → localhost:${pair.localPort}`);
  await bridgeStreams(local.value, tunnel.value);
}

function describeDialError(error: unknown): string {
  if (typeof error === "object" && error !== null && "code" in error && typeof error.code === "string") return error.code;
  return error instanceof Error ? error.message : String(error);
}
