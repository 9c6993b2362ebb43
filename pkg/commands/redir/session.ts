// One Redirect stream: the manager answers with response headers once its rule is installed; the
// connections come on Tunnel calls (connections.ts). The rule lives exactly as long as the
// stream, so cancelling the stream is how a redirect is removed.
import { status, type ClientReadableStream } from "@grpc/grpc-js";
import type { RedirectRequest, RedirectResponse } from "../../../api/gen/kdiag.ts";

export interface RedirectClient {
  redirect(request: RedirectRequest): ClientReadableStream<RedirectResponse>;
}

export interface RedirectSession {
  /** Resolves when the rule is installed; rejects with the gRPC error when it is not. */
  ready: Promise<void>;
  /**
   * Resolves when the stream is over: undefined after cancel(), the error (or a plain Error
   * when the manager ended it cleanly) when it ended by itself.
   */
  ended: Promise<unknown>;
  cancel(): void;
}

export interface StartRedirectOptions {
  client: RedirectClient;
  port: number;
  outgoing: boolean;
}

export function startRedirect(options: StartRedirectOptions): RedirectSession {
  const call = options.client.redirect({ port: options.port, outgoing: options.outgoing });
  let cancelled = false;
  let markReady = () => {};
  let failReady: (error: unknown) => void = () => {};
  const ready = new Promise<void>((resolve, reject) => {
    markReady = resolve;
    failReady = reject;
  });
  // Nobody may be waiting on `ready` any more when the stream fails later.
  ready.catch(() => {});
  const ended = new Promise<unknown>((resolve) => {
    call.on("metadata", () => markReady());
    // Nothing is sent on it today; read it so that its end and status are seen.
    call.on("data", () => {});
    call.on("error", (error: unknown) => {
      const ours = cancelled && readCode(error) === status.CANCELLED;
      failReady(error);
      resolve(ours ? undefined : error);
    });
    // `status` comes last, after `error` for failures; a clean end the manager chose is odd.
    call.on("status", (result: { code: number }) => {
      if (result.code !== status.OK) return;
      const error = new Error("the manager ended the redirect");
      failReady(error);
      resolve(cancelled ? undefined : error);
    });
  });
  return {
    ready,
    ended,
    cancel() {
      cancelled = true;
      call.cancel();
    },
  };
}

function readCode(error: unknown): number | undefined {
  return typeof error === "object" && error !== null && "code" in error && typeof error.code === "number" ? error.code : undefined;
}
