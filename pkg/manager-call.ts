// Unary calls to the manager as promises, with gRPC failures turned into sentences. A failed
// port-forward shows up in grpc-js only as UNAVAILABLE, so the forward's own error is preferred.

import { status as grpcStatus, type ServiceError } from "@grpc/grpc-js";
import { KdiagError } from "./errors.ts";

export interface CallContext {
  container: string;
  podName: string;
  lastForwardError(): unknown;
}

type Callback<T> = (error: ServiceError | null, response: T) => void;

/** Runs `start` (a grpc-js unary call taking a callback) and resolves with its response. */
export function callManager<T>(context: CallContext, start: (done: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, response) => (error ? reject(translateGrpcError(error, context)) : resolve(response)));
  });
}

export function translateGrpcError(error: ServiceError, context: CallContext): KdiagError {
  const where = `kdiag's manager (container \`${context.container}\` in pod \`${context.podName}\`)`;
  switch (error.code) {
    case grpcStatus.UNAVAILABLE: {
      const forward = context.lastForwardError();
      if (forward instanceof KdiagError) return forward;
      return new KdiagError(`cannot reach ${where}: ${error.details}`, { cause: error });
    }
    case grpcStatus.UNIMPLEMENTED:
      return new KdiagError(`${where} does not support this call; it is from another kdiag version (pass --image to match this CLI)`, {
        cause: error,
      });
    case grpcStatus.UNAUTHENTICATED:
      return new KdiagError(`${where} refused kdiag's credential (another manager answers on its port?)`, {
        cause: error,
      });
    case grpcStatus.DEADLINE_EXCEEDED:
      return new KdiagError(`${where} did not answer in time`, { cause: error });
    default:
      return new KdiagError(`${where} failed: ${error.details || error.message}`, { cause: error });
  }
}
