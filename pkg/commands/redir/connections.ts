// The CLI's side of redirected connections: a few Tunnel calls offered to each redirect ahead of
// time, so a connection's first bytes come at once on one of them. For each connection: dial the
// local target, carry the bytes, offer a fresh tunnel in its place. A local target that refuses
// resets just that connection, and a tunnel that fails is one warning: the session goes on.
import type { ClientDuplexStream } from "@grpc/grpc-js";
import type { RedirectRequest, TunnelFrame } from "../../../api/gen/kdiag.ts";
import { bridgeTunnel, makeFrame, type TunnelSocket } from "../../../api/tunnel-bridge.ts";
import { escapeControl } from "../../output/escape.ts";
import { readGrpcStatus } from "../../manager-call.ts";
import type { PortPair } from "./ports.ts";

export type TunnelStream = ClientDuplexStream<TunnelFrame, TunnelFrame>;

/** Idle tunnels first offered per redirect: connections arriving together each find one. */
export const offeredTunnels = 8;
/**
 * A burst that takes every offered tunnel doubles the offer, up to the manager's own limit per
 * redirect (manager/connections.ts): connections beyond the offer wait in the pod, and a wait as
 * long as the manager's deadline resets them.
 */
export const maxOfferedTunnels = 64;

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

export interface TunnelOffers {
  /** Withdraws the idle offers; connections being carried go on until they end. */
  stop(): void;
}

export function offerTunnels(pair: PortPair, request: RedirectRequest, deps: ConnectionDeps): TunnelOffers {
  const idle = new Set<TunnelStream>();
  let stopped = false;
  let wanted = offeredTunnels;
  const offer = (): void => {
    if (stopped) return;
    const tunnel = deps.openTunnel();
    idle.add(tunnel);
    let failure: unknown;
    tunnel.on("error", (error: unknown) => (failure ??= error));
    // Ended or failed before carrying anything: the redirect is over; nothing to say here.
    tunnel.once("close", () => idle.delete(tunnel));
    tunnel.once("data", (first: TunnelFrame) => {
      // Held until the local target answers; bridgeTunnel resumes it.
      tunnel.pause();
      idle.delete(tunnel);
      if (idle.size === 0) wanted = Math.min(maxOfferedTunnels, wanted * 2);
      while (!stopped && idle.size < wanted) offer();
      void carry({ pair, tunnel, peer: first.peer, deps, failure: () => failure });
    });
    tunnel.write(makeFrame({ offer: request }));
  };
  for (let i = 0; i < offeredTunnels; i++) offer();
  return {
    stop() {
      stopped = true;
      for (const tunnel of idle) tunnel.cancel();
      idle.clear();
    },
  };
}

async function carry(options: {
  pair: PortPair;
  tunnel: TunnelStream;
  peer: string;
  deps: ConnectionDeps;
  failure: () => unknown;
}): Promise<void> {
  const { pair, tunnel, deps } = options;
  // The peer's address comes from the manager, which answers for a pod: text from a stranger.
  const what = `connection from ${escapeControl(options.peer) || "a peer"} to ${deps.podName}:${pair.podPort}`;
  const local = await deps.dialLocal(pair.localPort).catch((error: unknown) => new DialError(error));
  if (local instanceof DialError) {
    tunnel.end(makeFrame({ reset: true }));
    deps.warn(`${what} reset: nothing accepts connections on localhost:${pair.localPort} (${local.code}); start the local server there`);
    return;
  }
  deps.report(`${what} → localhost:${pair.localPort}`);
  await bridgeTunnel(local, tunnel);
  const failure = options.failure();
  if (failure !== undefined) deps.warn(`${what} lost its tunnel: ${escapeControl(readGrpcStatus(failure)?.details || String(failure))}`);
}

class DialError {
  readonly code: string;
  constructor(error: unknown) {
    const code = typeof error === "object" && error !== null && "code" in error ? error.code : undefined;
    this.code = typeof code === "string" ? code : error instanceof Error ? error.message : String(error);
  }
}
