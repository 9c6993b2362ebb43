// Joins two sockets: bytes flow both ways, a FIN on one side half-closes the other (both must be
// created with allowHalfOpen), and an error on either destroys both.
import type { Socket } from "node:net";

export function bridgeSockets(a: Socket, b: Socket): void {
  const destroyBoth = (): void => {
    a.destroy();
    b.destroy();
  };
  a.on("error", destroyBoth);
  b.on("error", destroyBoth);
  a.pipe(b);
  b.pipe(a);
}
