// A local TCP listener whose every accepted connection is bridged to a fresh remote stream (a
// port-forward to a pod port). It is how the gRPC client reaches the manager (grpc-js dials a
// plain address), and what `manage --port-forward` keeps open for grpcurl.

import net from "node:net";
import type { Duplex } from "node:stream";
import { bridgeStreams } from "../bridge.ts";
import { KdiagError } from "../errors.ts";

export interface LocalForwardOptions {
  /** Opens the remote side for one accepted connection. */
  connect: () => Promise<Duplex>;
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** A connection that could not be bridged; the listener goes on. */
  onConnectionError?: (error: unknown) => void;
}

export interface LocalForward {
  host: string;
  port: number;
  close(): Promise<void>;
}

export async function listenAndForward(options: LocalForwardOptions): Promise<LocalForward> {
  const host = options.host ?? "127.0.0.1";
  const open = new Set<net.Socket>();
  // allowHalfOpen: a client that ends its side (a request) must still get the answer; the end
  // travels to the remote side through the bridge.
  const server = net.createServer({ pauseOnConnect: true, noDelay: true, allowHalfOpen: true }, (socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    options.connect().then(
      (remote) => void bridgeStreams(socket, remote),
      (error: unknown) => {
        socket.destroy();
        options.onConnectionError?.(error);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(describeListenError(error, host, options.port ?? 0)));
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function describeListenError(error: NodeJS.ErrnoException, host: string, port: number): KdiagError {
  if (error.code === "EADDRINUSE") {
    return new KdiagError(`local port ${port} on ${host} is already in use; choose another port`, { cause: error });
  }
  if (error.code === "EACCES") {
    return new KdiagError(`local port ${port} on ${host} needs privileges; choose a port above 1023`, { cause: error });
  }
  return new KdiagError(`cannot listen on ${host}:${port}: ${error.message}`, { cause: error });
}
