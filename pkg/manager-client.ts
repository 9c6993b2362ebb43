// A gRPC client of kdiag's manager over secureManager's connections (manager-connection.ts),
// apart from it so that `shell`, which needs the manager's container but not its gRPC, does not
// load grpc-js.

import type { Duplex } from "node:stream";
import { credentials, InterceptingCall, type Interceptor } from "@grpc/grpc-js";
import type { ManagerClient } from "../api/gen/kdiag.ts";
import { FastManagerClient } from "../api/tunnel-codec.ts";
import { listenAndForward, type LocalForward } from "./kube/local-forward.ts";
import { secureManager, type Kube, type PodCheck, type SecureManagerEndpoint } from "./manager-connection.ts";
import type { PodCommandConfig } from "./commands/pod-config.ts";
import type { Progress } from "./output/progress.ts";

/** Adds `authorization: Bearer <token>` to every call. */
export function sendToken(token: string): Interceptor {
  return (options, nextCall) =>
    new InterceptingCall(nextCall(options), {
      start: (metadata, listener, next) => {
        metadata.set("authorization", `Bearer ${token}`);
        next(metadata, listener);
      },
    });
}

export interface ManagerConnection extends SecureManagerEndpoint, ManagerClientChannel {}

/** secureManager, then a gRPC client over it. */
export async function connectManager(config: PodCommandConfig, kube: Kube, progress: Progress, check: PodCheck = {}): Promise<ManagerConnection> {
  return attachManagerClient(await secureManager(config, kube, progress, check), progress);
}

/** A gRPC client over an endpoint secureManager returned. */
export async function attachManagerClient(endpoint: SecureManagerEndpoint, progress: Progress): Promise<ManagerConnection> {
  const channel = await openManagerClient({ connect: endpoint.connect, token: endpoint.credential.token });
  progress.clear();
  return { ...endpoint, ...channel };
}

export interface ManagerClientChannel {
  client: ManagerClient;
  /** The last failure to open a connection, to explain a gRPC "unavailable". */
  lastForwardError(): unknown;
  close(): Promise<void>;
}

/** A gRPC client whose every connection is `connect()` (pinned TLS to the manager), sending the token. */
export async function openManagerClient(options: { connect: () => Promise<Duplex>; token: string }): Promise<ManagerClientChannel> {
  let lastError: unknown;
  const local: LocalForward = await listenAndForward({
    connect: options.connect,
    onConnectionError: (error) => {
      lastError = error;
    },
  });
  // grpc-js would honour http_proxy/https_proxy for this loopback address; it must not.
  const client = new FastManagerClient(`${local.host}:${local.port}`, credentials.createInsecure(), {
    "grpc.enable_http_proxy": 0,
    // Redirected connections come back over this one connection: a window that a port-forward's
    // round trip does not throttle.
    "grpc-node.flow_control_window": 8 * 1024 * 1024,
    // A Rules answer holds five dumps of up to 4 MiB each (manager/rules.ts); grpc-js refuses any
    // message over 4 MiB unless told, and the user would then see no rules at all.
    "grpc.max_receive_message_length": 24 * 1024 * 1024,
    interceptors: [sendToken(options.token)],
  });
  return {
    client,
    lastForwardError: () => lastError,
    close: async () => {
      client.close();
      await local.close();
    },
  };
}
