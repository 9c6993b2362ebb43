// Redirected connections and the tunnels that carry them. The CLI offers Tunnel calls ahead of
// time; a connection the pod accepts goes out on an offered one at once (no round trip before its
// first byte), or waits for the next offer. Bounded, because the pod's own processes can open
// connections to a redirect listener too.
import type { Socket } from "node:net";
import { status } from "@grpc/grpc-js";
import type { TunnelFrame } from "../api/gen/kdiag.ts";
import { bridgeTunnel, makeFrame, type FrameStream } from "../api/tunnel-bridge.ts";
import type { Refusal } from "./redirect-request.ts";

export const connectionLimits = {
  /** Accepted connections waiting for an offered tunnel, per redirect and in all. */
  waitingPerRedirect: 256,
  waitingTotal: 1024,
  /** Idle tunnels offered to one redirect. */
  offeredPerRedirect: 64,
  /** Connections carried, in all. */
  activeTotal: 4096,
  /** A connection no tunnel takes is reset after this long. */
  waitDeadlineMs: 10_000,
} as const;

/** A Tunnel call as the manager holds it. */
export interface TunnelCall extends FrameStream {
  on(event: "data", listener: (frame: TunnelFrame) => void): unknown;
  on(event: "end" | "error" | "cancelled" | "close", listener: () => void): unknown;
}

interface Waiting {
  socket: Socket;
  peer: string;
  redirect: string;
  timer: NodeJS.Timeout;
}

export class Connections {
  readonly #waiting: Waiting[] = [];
  readonly #offered = new Map<string, TunnelCall[]>();
  readonly #active = new Map<Socket, string>();

  /** A connection accepted for `redirect`: carried on an offered tunnel, else it waits for one. */
  accept(options: { socket: Socket; peer: string; redirect: string }): "carried" | "waiting" | "refused" {
    const { socket, redirect } = options;
    const offered = this.#offered.get(redirect)?.shift();
    if (offered) return this.#carry({ ...options, call: offered });
    const waitingHere = this.#waiting.filter((entry) => entry.redirect === redirect).length;
    if (
      waitingHere >= connectionLimits.waitingPerRedirect ||
      this.#waiting.length >= connectionLimits.waitingTotal ||
      this.#active.size >= connectionLimits.activeTotal
    ) {
      socket.resetAndDestroy();
      return "refused";
    }
    const entry: Waiting = { ...options, timer: setTimeout(() => socket.resetAndDestroy(), connectionLimits.waitDeadlineMs) };
    // A peer that gives up while waiting must not leave an error unhandled.
    socket.on("error", () => {});
    socket.once("close", () => {
      clearTimeout(entry.timer);
      this.#remove(this.#waiting, entry);
    });
    this.#waiting.push(entry);
    return "waiting";
  }

  /** A tunnel offered to `redirect`: takes the oldest waiting connection, else waits for one. */
  offer(options: { call: TunnelCall; redirect: string }): Refusal | undefined {
    const { call, redirect } = options;
    const waiting = this.#waiting.find((entry) => entry.redirect === redirect);
    if (waiting) {
      clearTimeout(waiting.timer);
      this.#remove(this.#waiting, waiting);
      this.#carry({ socket: waiting.socket, peer: waiting.peer, redirect, call });
      return undefined;
    }
    const offered = this.#offered.get(redirect) ?? [];
    if (offered.length >= connectionLimits.offeredPerRedirect) {
      return { code: status.RESOURCE_EXHAUSTED, details: `${connectionLimits.offeredPerRedirect} tunnels are already offered to this redirect` };
    }
    offered.push(call);
    this.#offered.set(redirect, offered);
    // An offer withdrawn (the CLI cancelled it, or went away) is no longer one.
    const withdraw = (): void => this.#remove(this.#offered.get(redirect) ?? [], call);
    call.on("cancelled", withdraw);
    call.on("error", withdraw);
    call.on("end", withdraw);
    return undefined;
  }

  /** Ends everything of a redirect that ended: waiting and carried connections are reset. */
  dropRedirect(redirect: string): void {
    for (const entry of this.#waiting.filter((waiting) => waiting.redirect === redirect)) entry.socket.resetAndDestroy();
    for (const call of this.#offered.get(redirect) ?? []) call.end();
    this.#offered.delete(redirect);
    for (const [socket, owner] of this.#active) if (owner === redirect) socket.resetAndDestroy();
  }

  #carry(options: { socket: Socket; peer: string; redirect: string; call: TunnelCall }): "carried" {
    const { socket, call } = options;
    this.#active.set(socket, options.redirect);
    socket.once("close", () => this.#active.delete(socket));
    call.write(makeFrame({ peer: options.peer }));
    void bridgeTunnel(socket, call);
    socket.resume();
    return "carried";
  }

  #remove<T>(list: T[], item: T): void {
    const index = list.indexOf(item);
    if (index >= 0) list.splice(index, 1);
  }
}
