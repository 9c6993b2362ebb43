// Redirected connections between their accept in the pod and their end: each is announced to the
// redirect's caller under an unguessable name and waits (paused) until a Tunnel call claims it.
// Bounded, because the pod's own processes can open connections to the redirect listener too.
import { randomBytes } from "node:crypto";
import type { Socket } from "node:net";

export const connectionLimits = {
  /** Announced but not yet claimed, per redirect and in all: room for a burst of clients. */
  pendingPerRedirect: 256,
  pendingTotal: 1024,
  /** Claimed and carried, in all. */
  activeTotal: 4096,
  /** An announced connection nobody claims is reset after this long. */
  claimDeadlineMs: 10_000,
} as const;

interface Entry {
  socket: Socket;
  redirect: string;
  timer?: NodeJS.Timeout;
}

export class Connections {
  readonly #pending = new Map<string, Entry>();
  readonly #active = new Set<Entry>();

  /** A name to announce for `socket`, or undefined (the socket is reset) when over a limit. */
  add(options: { socket: Socket; redirect: string }): string | undefined {
    const pendingHere = [...this.#pending.values()].filter((entry) => entry.redirect === options.redirect).length;
    if (
      pendingHere >= connectionLimits.pendingPerRedirect ||
      this.#pending.size >= connectionLimits.pendingTotal ||
      this.#active.size >= connectionLimits.activeTotal
    ) {
      options.socket.resetAndDestroy();
      return undefined;
    }
    const name = randomBytes(16).toString("hex");
    const entry: Entry = { ...options };
    entry.timer = setTimeout(() => {
      this.#pending.delete(name);
      entry.socket.resetAndDestroy();
    }, connectionLimits.claimDeadlineMs);
    // A peer that gives up while waiting must not leave an error unhandled.
    entry.socket.on("error", () => {});
    entry.socket.once("close", () => {
      clearTimeout(entry.timer);
      this.#pending.delete(name);
      this.#active.delete(entry);
    });
    this.#pending.set(name, entry);
    return name;
  }

  /** The socket announced as `name`, once; undefined for an unknown or already claimed name. */
  claim(name: string): Socket | undefined {
    const entry = this.#pending.get(name);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.#pending.delete(name);
    this.#active.add(entry);
    return entry.socket;
  }

  /** Resets every connection of a redirect that ended, announced or carried. */
  dropRedirect(redirect: string): void {
    for (const entry of [...this.#pending.values(), ...this.#active]) {
      if (entry.redirect === redirect) entry.socket.resetAndDestroy();
    }
  }
}
