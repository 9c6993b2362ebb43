// The gRPC server: kdiag.v1.Manager plus server reflection, over TLS with the manager's own
// certificate and behind the token check, with keepalive so a client that vanished without
// closing its connection (laptop asleep, port-forward killed) is noticed within ~10 s and its
// redirects end.
import { Server, ServerCredentials, type ServerOptions, type handleUnaryCall } from "@grpc/grpc-js";
import { createAuthInterceptor } from "./authenticate.ts";
import type { Credential } from "./credential.ts";
import { managerService } from "../api/tunnel-codec.ts";
import { type PsRequest, type PsResponse, type VersionRequest, type VersionResponse } from "../api/gen/kdiag.ts";
import { formatListenAddress, type ListenAddress } from "./listen-address.ts";
import type { ConntrackHandler } from "./conntrack.ts";
import type { ReachHandler } from "./reach.ts";
import type { RedirectCall, TunnelCall } from "./redirects.ts";
import { addReflection } from "./reflection.ts";
import type { RulesHandler } from "./rules.ts";

const serverOptions: ServerOptions = {
  // A ping after 5 s of silence, and the connection is dropped if it is not answered in 5 s.
  "grpc.keepalive_time_ms": 5_000,
  "grpc.keepalive_timeout_ms": 5_000,
  "grpc.keepalive_permit_without_calls": 1,
  // Redirects (64 at most) and their tunnels (1,024 at most) on one connection, with room.
  "grpc.max_concurrent_streams": 2_048,
};

export interface ManagerHandlers {
  version: () => Promise<VersionResponse>;
  ps: () => Promise<PsResponse>;
  redirect: (call: RedirectCall) => void;
  tunnel: (call: TunnelCall) => void;
  reach: ReachHandler;
  rules: RulesHandler;
  conntrack: ConntrackHandler;
}

export async function startServer(options: {
  listen: ListenAddress;
  descriptor: Buffer;
  credential: Credential;
  handlers: ManagerHandlers;
}): Promise<{ server: Server; port: number }> {
  const { credential } = options;
  const server = new Server({ ...serverOptions, interceptors: [createAuthInterceptor(credential.token)] });
  server.addService(managerService, {
    version: answerUnary<VersionRequest, VersionResponse>(options.handlers.version),
    ps: answerUnary<PsRequest, PsResponse>(options.handlers.ps),
    redirect: options.handlers.redirect,
    tunnel: options.handlers.tunnel,
    reach: options.handlers.reach,
    rules: options.handlers.rules,
    conntrack: options.handlers.conntrack,
  });
  addReflection({ server, descriptor: options.descriptor });
  const address = formatListenAddress(options.listen);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(
      address,
      // Mutual TLS: the only client certificate trusted is the one in the credential file.
      ServerCredentials.createSsl(
        Buffer.from(credential.clientCertificate),
        [{ private_key: Buffer.from(credential.privateKey), cert_chain: Buffer.from(credential.certificate) }],
        true,
      ),
      (error, bound) => (error ? reject(error) : resolve(bound)),
    ),
  );
  return { server, port };
}

function answerUnary<Request, Response>(produce: () => Promise<Response>): handleUnaryCall<Request, Response> {
  return (_call, callback) => {
    produce().then(
      (response) => callback(null, response),
      (error: Error) => callback(error),
    );
  };
}
