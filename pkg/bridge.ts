// Joins two byte streams (a local socket and a port-forwarded connection): bytes flow both ways
// with backpressure (pipe), the end of one side ends the other, and an error on either destroys
// both. Resolves once both are closed, so callers can count live connections.
import type { Duplex } from "node:stream";

export function bridgeStreams(a: Duplex, b: Duplex): Promise<void> {
  const closed = (stream: Duplex) =>
    new Promise<void>((resolve) => {
      if (stream.destroyed) resolve();
      else stream.once("close", () => resolve());
    });
  const destroyBoth = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on("error", destroyBoth);
  b.on("error", destroyBoth);
  // Either side closing for good (not just ending its writes) takes the other down with it.
  a.once("close", () => b.writableEnded || b.end());
  b.once("close", () => a.writableEnded || a.end());
  a.pipe(b);
  b.pipe(a);
  return Promise.all([closed(a), closed(b)]).then(() => undefined);
}
