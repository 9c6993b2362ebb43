// The Redirect call: a listener of the manager's own, a rule sending the pod's traffic for the
// port to it, and every accepted connection announced to the caller, who carries it with a
// Tunnel call on the same authenticated channel; all of it lives exactly as long as the stream.
import { Metadata, status, type ServerDuplexStream, type ServerWritableStream } from "@grpc/grpc-js";
import type { Server, Socket } from "node:net";
import type { RedirectRequest, RedirectResponse, TunnelFrame } from "../api/gen/kdiag.ts";
import { Connections } from "./connections.ts";
import { formatPeer } from "./listen.ts";
import type { Log } from "./log.ts";
import { openRedirectListeners } from "./redirect-listeners.ts";
import { checkRedirectRequest, describeTarget, type Refusal } from "./redirect-request.ts";
import type { RedirectRules, RedirectTarget } from "./redirect-rules.ts";

export type RedirectCall = ServerWritableStream<RedirectRequest, RedirectResponse>;
export type TunnelCall = ServerDuplexStream<TunnelFrame, TunnelFrame>;

/** Every redirect is a base chain and a listener: beyond this, RESOURCE_EXHAUSTED. */
export const maxRedirects = 64;
const firstFrameDeadlineMs = 10_000;

export interface RedirectsOptions {
  // The rules, or why there are none (no nft, no CAP_NET_ADMIN): Redirect then refuses with it.
  rules: RedirectRules | Error;
  grpcPort: () => number;
  ipv6: boolean;
  log: Log;
}

interface Active {
  end: (refusal?: Refusal) => Promise<void>;
  /** The removal of its rule, once its stream has ended (the port is not free before). */
  leaving: () => Promise<void> | undefined;
}

export class Redirects {
  readonly #options: RedirectsOptions;
  readonly #active = new Map<string, Active>();
  readonly #connections = new Connections();

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
    const check = () =>
      checkRedirectRequest(call.request, {
        grpcPort: this.#options.grpcPort(),
        isRedirected: (target) => this.#active.has(keyOf(target)) && !this.#active.get(keyOf(target))?.leaving(),
      });
    let checked = check();
    // A cancel that came just before this call may not have been dispatched yet: one turn of the
    // event loop lets it, so the port's last redirect shows as leaving rather than as live.
    if (!checked.ok && checked.refusal.code === status.ALREADY_EXISTS) {
      await new Promise((resolve) => setImmediate(resolve));
      if (call.cancelled) return;
      checked = check();
    }
    if (!checked.ok) return endCall(call, checked.refusal);
    // The same port's last redirect has ended (its client exited, say) and is removing its rule: a
    // client started again at once waits for that rather than being told the port is taken.
    let leaving: Promise<void> | undefined;
    while ((leaving = this.#active.get(keyOf(checked.target))?.leaving())) {
      await leaving;
      if (call.cancelled) return;
      checked = check();
      if (!checked.ok) return endCall(call, checked.refusal);
    }
    if (this.#active.size >= maxRedirects) {
      return endCall(call, {
        code: status.RESOURCE_EXHAUSTED,
        details: `this kdiag manager already runs ${maxRedirects} redirects, its limit; end some first`,
      });
    }
    if (rules instanceof Error) {
      return endCall(call, { code: status.FAILED_PRECONDITION, details: `redirects are unavailable: ${rules.message}` });
    }
    const { target } = checked;
    const key = keyOf(target);
    let listeners: Server[] = [];
    let installing: Promise<boolean> | undefined;
    let ending: Promise<void> | undefined;
    const end = (refusal?: Refusal): Promise<void> =>
      (ending ??= (async () => {
        for (const listener of listeners) listener.close();
        this.#connections.dropRedirect(key);
        // An install still in flight is waited for, so its rule cannot outlive the stream.
        if (installing && (await installing)) {
          await rules.remove(target).catch((error: Error) => log("error", "could not remove a redirect rule", { ...target, error: error.message }));
        }
        // Only now may the same port be redirected again: its chain is gone.
        this.#active.delete(key);
        log("info", "redirect ended", { ...target, reason: refusal?.details ?? "stream ended" });
        if (!call.cancelled) endCall(call, refusal);
      })());
    // Reserved before the next await, so a concurrent duplicate gets ALREADY_EXISTS.
    this.#active.set(key, { end, leaving: () => ending });
    call.on("cancelled", () => void end());
    call.on("error", () => void end());

    const onConnection = (socket: Socket): void => {
      if (ending || call.cancelled || call.writableEnded) return void socket.resetAndDestroy();
      const peer = formatPeer(socket);
      if (this.#connections.accept({ socket, peer, redirect: key }) === "refused") {
        log("warn", "refused a redirected connection: too many waiting or open", { ...target, peer });
      }
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

  // A Tunnel call: its first frame offers it to a live redirect, which sends it a connection.
  tunnel = (call: TunnelCall): void => {
    const timer = setTimeout(() => endTunnel(call, { code: status.DEADLINE_EXCEEDED, details: "no offer in time" }), firstFrameDeadlineMs);
    call.on("error", () => {});
    call.once("data", (first: TunnelFrame) => {
      clearTimeout(timer);
      if (!first.offer) return endTunnel(call, { code: status.INVALID_ARGUMENT, details: "a tunnel's first frame must offer it to a redirect" });
      const key = keyOf({ direction: first.offer.outgoing ? "outgoing" : "incoming", port: first.offer.port });
      if (!this.#active.has(key)) return endTunnel(call, { code: status.NOT_FOUND, details: `no redirect of ${key.replace(":", " port ")}` });
      const refusal = this.#connections.offer({ call, redirect: key });
      if (refusal) endTunnel(call, refusal);
    });
  };
}

function keyOf(target: RedirectTarget): string {
  return `${target.direction}:${target.port}`;
}

function endTunnel(call: TunnelCall, refusal: Refusal): void {
  call.emit("error", Object.assign(new Error(refusal.details), refusal));
}

function endCall(call: RedirectCall, refusal?: Refusal): void {
  if (refusal) call.emit("error", Object.assign(new Error(refusal.details), refusal));
  else call.end();
}
