// Every call — Version, Ps, Redirect, Tunnel and server reflection alike — must carry
// `authorization: Bearer <token>`. Reflection is not exempt: it only describes a public API, but
// an unauthenticated answer would tell any process in the pod that a privileged kdiag manager
// listens here, and grpcurl sends the same -H header with its reflection requests anyway.
import { createHash, timingSafeEqual } from "node:crypto";
import { Metadata, ServerInterceptingCall, status, type ServerInterceptor } from "@grpc/grpc-js";

/** Compares digests, so neither the token's length nor its bytes leak through timing. */
export function createTokenCheck(token: string): (presented: string) => boolean {
  const expected = digest(`Bearer ${token}`);
  return (presented) => timingSafeEqual(digest(presented), expected);
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}

export function createAuthInterceptor(token: string): ServerInterceptor {
  const isValid = createTokenCheck(token);
  return (_method, call) =>
    new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata: Metadata, proceed: (metadata: Metadata) => void) => {
            const [presented] = metadata.get("authorization");
            if (typeof presented === "string" && isValid(presented)) return proceed(metadata);
            call.sendStatus({ code: status.UNAUTHENTICATED, details: "missing or wrong kdiag credential", metadata: new Metadata() });
          },
        }),
    });
}
