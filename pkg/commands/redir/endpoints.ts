// The two ends `redir` talks to besides the port-forwards: the manager's gRPC API (narrowed to
// what redir needs; its unary calls are manager-call.ts's) and the local targets on 127.0.0.1.
import net from "node:net";
import type { ManagerClient } from "../../../api/gen/kdiag.ts";
import { createManagerCalls, type ManagerPlace } from "../../manager-call.ts";
import type { RedirManager } from "./run.ts";

export function adaptManager(client: ManagerClient, place: ManagerPlace): RedirManager {
  return {
    ...createManagerCalls(client, place),
    redirect: (request) => client.redirect(request),
    tunnel: () => client.tunnel(),
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
