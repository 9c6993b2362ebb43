// Both ends of a Tunnel call (the manager with the redirected socket in the pod, the CLI with its
// connection to the local server) join a TCP socket to the call's frames the same way, so the
// contract — bytes in order, FIN each way on its own, RST as RST — lives in this one place.
import type { Duplex } from "node:stream";
import type { TunnelFrame } from "./gen/kdiag.ts";

/** How a bridged connection ended: both sides finished (FIN each way), or it was reset. */
export type TunnelEnd = "closed" | "reset";

/** Either end of a Tunnel call: grpc-js's server or client duplex of frames. */
export interface FrameStream {
  write(frame: TunnelFrame): boolean;
  end(): unknown;
  pause(): unknown;
  resume(): unknown;
  readonly writableEnded: boolean;
  readonly destroyed: boolean;
  on(event: "data", listener: (frame: TunnelFrame) => void): unknown;
  on(event: "end" | "error" | "cancelled", listener: () => void): unknown;
  once(event: "drain", listener: () => void): unknown;
}

/** A TCP socket (net.Socket) created with allowHalfOpen: true. */
export interface TunnelSocket extends Duplex {
  resetAndDestroy(): unknown;
}

const emptyFrame: TunnelFrame = { offer: undefined, peer: "", data: Buffer.alloc(0), fin: false, reset: false };

export function makeFrame(fields: Partial<TunnelFrame>): TunnelFrame {
  return { ...emptyFrame, ...fields };
}

/**
 * Carries `socket` over `frames` (a gRPC duplex of TunnelFrame) until both directions have
 * finished or either side reset; then ends its own side of the call. Resolves, never rejects.
 */
export function bridgeTunnel(socket: TunnelSocket, frames: FrameStream): Promise<TunnelEnd> {
  let sentFin = false;
  let gotFin = false;
  let socketClosed = false;
  let settled = false;
  let settle: (end: TunnelEnd) => void = () => {};
  const ended = new Promise<TunnelEnd>((resolve) => (settle = resolve));

  const finish = (end: TunnelEnd): void => {
    if (settled) return;
    settled = true;
    if (end === "reset") socket.resetAndDestroy();
    if (!frames.writableEnded && !frames.destroyed) frames.end();
    settle(end);
  };
  const finishIfDone = (): void => {
    if (sentFin && gotFin && socketClosed) finish("closed");
  };
  const reset = (): void => {
    if (settled) return;
    if (!frames.writableEnded && !frames.destroyed) frames.write(makeFrame({ reset: true }));
    finish("reset");
  };

  socket.on("data", (data: Buffer) => {
    if (frames.write(makeFrame({ data }))) return;
    socket.pause();
    frames.once("drain", () => socket.resume());
  });
  socket.on("end", () => {
    sentFin = true;
    if (!settled) frames.write(makeFrame({ fin: true }));
    finishIfDone();
  });
  // ECONNRESET from the peer, or any other failure: the other side learns it as a reset.
  socket.on("error", reset);
  socket.on("close", () => {
    socketClosed = true;
    // Closed without its FIN in both directions: destroyed, not finished.
    if (!(sentFin && gotFin)) reset();
    else finishIfDone();
  });

  frames.on("data", (frame: TunnelFrame) => {
    if (settled) return;
    if (frame.reset) return finish("reset");
    if (frame.data.length > 0 && !socket.write(frame.data)) {
      frames.pause();
      socket.once("drain", () => frames.resume());
    }
    if (frame.fin && !gotFin) {
      gotFin = true;
      socket.end();
    }
  });
  // The call ended before both FINs (the other side went away, or cancelled): a reset.
  frames.on("end", () => (gotFin ? finishIfDone() : reset()));
  frames.on("error", () => finish("reset"));
  // A gRPC server call whose caller cancelled (or vanished) says so with `cancelled` alone.
  frames.on("cancelled", () => finish("reset"));
  // A caller that paused the frames while it got ready (dialling its end) is ready now.
  frames.resume();
  return ended;
}
