// A one-shot loopback listener for one redirected connection: the client port-forwards to it and
// is bridged to the redirected socket. No client within the deadline: the connection is closed.
import type { Socket } from "node:net";
import { bridgeSockets } from "./bridge.ts";
import { listenTcp } from "./listen.ts";

const tunnelDeadlineMs = 10_000;

export interface Tunnel {
  port: number;
  // Closes the listener and, if bridged or waiting, both sockets.
  close(): void;
}

export async function openTunnel(options: { redirected: Socket; onClose: () => void }): Promise<Tunnel> {
  const { redirected } = options;
  let client: Socket | undefined;
  const { server, port } = await listenTcp({
    host: "127.0.0.1",
    onConnection: (socket) => {
      if (client) return void socket.destroy();
      client = socket;
      clearTimeout(timer);
      server.close();
      bridgeSockets(redirected, socket);
      socket.resume();
      redirected.resume();
    },
  });
  const close = (): void => {
    clearTimeout(timer);
    server.close();
    redirected.destroy();
    client?.destroy();
  };
  const timer = setTimeout(close, tunnelDeadlineMs);
  // A peer that gives up before the client arrives must not leave an error unhandled.
  redirected.on("error", () => redirected.destroy());
  redirected.once("close", () => {
    if (!client) close();
    options.onClose();
  });
  return { port, close };
}
