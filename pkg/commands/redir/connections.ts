// One redirected connection: the manager announced it; we dial the local target and carry the
// connection over a Tunnel call on the manager's authenticated channel. A local target that
// refuses resets just this connection, and a tunnel that fails is one warning: the session goes on.
import type { ClientDuplexStream } from "@grpc/grpc-js";
import type { RedirectResponse, TunnelFrame } from "../../../api/gen/kdiag.ts";
import { bridgeTunnel, makeFrame, type TunnelSocket } from "../../../api/tunnel-bridge.ts";
import { escapeControl } from "../../output/escape.ts";
import { readGrpcStatus } from "./grpc-status.ts";
import type { PortPair } from "./ports.ts";

export type TunnelStream = ClientDuplexStream<TunnelFrame, TunnelFrame>;

export interface ConnectionDeps {
  podName: string;
  /** A new Tunnel call to the manager. */
  openTunnel: () => TunnelStream;
  /** A connection to 127.0.0.1:port on this machine. */
  dialLocal: (port: number) => Promise<TunnelSocket>;
  /** A line per connection (suppressed with --quiet by the caller). */
  report: (message: string) => void;
  warn: (message: string) => void;
}

/** Bridges one connection; resolves when it is over (never rejects). */
export async function bridgeConnection(pair: PortPair, connection: RedirectResponse, deps: ConnectionDeps): Promise<void> {
  // The peer's address comes from the manager, which answers for a pod: text from a stranger.
  const what = `connection from ${escapeControl(connection.peer) || "a peer"} to ${deps.podName}:${pair.podPort}`;
  // Opened at once: the call needs no round trip before its first frame, and the peer waits.
  const tunnel = deps.openTunnel();
  let failure: unknown;
  tunnel.on("error", (error: unknown) => (failure ??= error));
  const local = await deps.dialLocal(pair.localPort).catch((error: unknown) => new DialError(error));
  if (local instanceof DialError) {
    tunnel.end(makeFrame({ connection: connection.connection, reset: true }));
    deps.warn(`${what} reset: nothing accepts connections on localhost:${pair.localPort} (${local.code}); start the local server there`);
    return;
  }
  tunnel.write(makeFrame({ connection: connection.connection }));
  deps.report(`${what} → localhost:${pair.localPort}`);
  await bridgeTunnel(local, tunnel);
  const grpc = readGrpcStatus(failure);
  if (failure !== undefined) deps.warn(`${what} lost its tunnel: ${escapeControl(grpc?.details || String(failure))}`);
}

class DialError {
  readonly code: string;
  constructor(error: unknown) {
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    this.code = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
  }
}
