// The Redirect call: a listener of the manager's own, a rule sending the pod's traffic for the
// port to it, and a tunnel per accepted connection, all living exactly as long as the stream.
import { Metadata, status, type ServerWritableStream } from "@grpc/grpc-js";
import type { Server, Socket } from "node:net";
import type { RedirectRequest, RedirectResponse } from "../api/gen/kdiag.ts";
import { formatPeer } from "./listen.ts";
import type { Log } from "./log.ts";
import { openRedirectListeners } from "./redirect-listeners.ts";
import { checkRedirectRequest, describeTarget, type Refusal } from "./redirect-request.ts";
import type { RedirectRules, RedirectTarget } from "./redirect-rules.ts";
import { openTunnel, type Tunnel } from "./tunnel.ts";

export type RedirectCall = ServerWritableStream<RedirectRequest, RedirectResponse>;

export interface RedirectsOptions {
  // The rules, or why there are none (no nft, no CAP_NET_ADMIN): Redirect then refuses with it.
  rules: RedirectRules | Error;
  grpcPort: () => number;
  ipv6: boolean;
  log: Log;
}

interface Active {
  end: (refusal?: Refusal) => Promise<void>;
}

export class Redirects {
  readonly #options: RedirectsOptions;
  readonly #active = new Map<string, Active>();

  constructor(options: RedirectsOptions) {
    this.#options = options;
  }

  handle = (call: RedirectCall): void => {
    void this.#serve(call).catch((error: Error) => endCall(call, { code: status.INTERNAL, details: error.message }));
  };

  // Ends every redirect (their rules removed) with the given status; used on SIGTERM.
  async endAll(refusal: Refusal): Promise<void> {
    await Promise.all([...this.#active.values()].map((active) => active.end(refusal)));
  }

  async #serve(call: RedirectCall): Promise<void> {
    const { rules, log } = this.#options;
    const checked = checkRedirectRequest(call.request, {
      grpcPort: this.#options.grpcPort(),
      isRedirected: (target) => this.#active.has(keyOf(target)),
    });
    if (!checked.ok) return endCall(call, checked.refusal);
    if (rules instanceof Error) {
      return endCall(call, { code: status.FAILED_PRECONDITION, details: `redirects are unavailable: ${rules.message}` });
    }
    const { target } = checked;
    const key = keyOf(target);
    const tunnels = new Set<Tunnel>();
    let listeners: Server[] = [];
    let installing: Promise<boolean> | undefined;
    let ending: Promise<void> | undefined;
    const end = (refusal?: Refusal): Promise<void> =>
      (ending ??= (async () => {
        for (const listener of listeners) listener.close();
        for (const tunnel of tunnels) tunnel.close();
        // An install still in flight is waited for, so its rule cannot outlive the stream.
        if (installing && (await installing)) {
          await rules.remove(target).catch((error: Error) => log("error", "could not remove a redirect rule", { ...target, error: error.message }));
        }
        // Only now may the same port be redirected again: its chain is gone.
        this.#active.delete(key);
        log("info", "redirect ended", { ...target, reason: refusal?.details ?? "stream ended" });
        if (!call.cancelled) endCall(call, refusal);
      })());
    // Reserved before the first await, so a concurrent duplicate gets ALREADY_EXISTS.
    this.#active.set(key, { end });
    call.on("cancelled", () => void end());
    call.on("error", () => void end());

    const onConnection = (socket: Socket): void => {
      void this.#tunnel({ socket, call, tunnels }).catch((error: Error) => {
        socket.destroy();
        log("warn", "could not open a tunnel", { ...target, error: error.message });
      });
    };
    try {
      const opened = await openRedirectListeners({ target, ipv6: this.#options.ipv6, onConnection });
      listeners = opened.servers;
      if (ending) return void listeners.forEach((listener) => listener.close());
      installing = rules.install(opened.rule).then(
        () => true,
        (error: Error) => {
          void end({ code: status.INTERNAL, details: `could not redirect ${describeTarget(target)}: ${error.message}` });
          return false;
        },
      );
      if (!(await installing) || ending) return;
      log("info", "redirect installed", { ...opened.rule, table: rules.table });
      // Response headers tell the client the rule is live.
      call.sendMetadata(new Metadata());
    } catch (error) {
      await end({ code: status.INTERNAL, details: `could not redirect ${describeTarget(target)}: ${(error as Error).message}` });
    }
  }

  async #tunnel(options: { socket: Socket; call: RedirectCall; tunnels: Set<Tunnel> }): Promise<void> {
    const { socket, call, tunnels } = options;
    const peer = formatPeer(socket);
    const tunnel = await openTunnel({ redirected: socket, onClose: () => tunnels.delete(tunnel) });
    // The stream may have ended while the tunnel was opening.
    if (call.cancelled || call.writableEnded) return tunnel.close();
    tunnels.add(tunnel);
    call.write({ port: tunnel.port, peer });
  }
}

function keyOf(target: RedirectTarget): string {
  return `${target.direction}:${target.port}`;
}

function endCall(call: RedirectCall, refusal?: Refusal): void {
  if (refusal) call.emit("error", Object.assign(new Error(refusal.details), refusal));
  else call.end();
}
