// The two ends `redir` talks to besides the port-forwards: the manager's gRPC API (narrowed to
// what redir needs) and the local targets on 127.0.0.1.
import net from "node:net";
import { Metadata } from "@grpc/grpc-js";
import type { ManagerClient } from "../../../api/gen/kdiag.ts";
import type { RedirManager } from "./run.ts";

const CALL_TIMEOUT_MS = 30_000;

function deadline(): Date {
  return new Date(Date.now() + CALL_TIMEOUT_MS);
}

export function adaptManager(client: ManagerClient): RedirManager {
  return {
    redirect: (request) => client.redirect(request),
    tunnel: () => client.tunnel(),
    listProcesses: () =>
      new Promise((resolve, reject) =>
        client.ps({}, new Metadata(), { deadline: deadline() }, (error, response) => (error ? reject(error) : resolve(response.processes))),
      ),
    ping: () =>
      new Promise((resolve, reject) =>
        client.version({}, new Metadata(), { deadline: deadline() }, (error) => (error ? reject(error) : resolve())),
      ),
  };
}

/**
 * A connection to the local target; rejects with the socket error (ECONNREFUSED, …). Half-open
 * allowed: a client that finishes sending must still get the whole answer.
 */
export function dialLocal(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true, allowHalfOpen: true });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
