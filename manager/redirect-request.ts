// Checks a RedirectRequest before anything is installed; a refusal carries the gRPC status code
// and a message the CLI can show as it is.
import { status } from "@grpc/grpc-js";
import type { RedirectRequest } from "../api/gen/kdiag.ts";
import type { RedirectTarget } from "./redirect-rules.ts";

export interface Refusal {
  code: status;
  details: string;
}

export type CheckedRequest = { ok: true; target: RedirectTarget } | { ok: false; refusal: Refusal };

export function describeTarget(target: RedirectTarget): string {
  return `${target.direction} port ${target.port}`;
}

export function checkRedirectRequest(
  request: RedirectRequest,
  context: { grpcPort: number; isRedirected: (target: RedirectTarget) => boolean },
): CheckedRequest {
  const target: RedirectTarget = { direction: request.outgoing ? "outgoing" : "incoming", port: request.port };
  if (request.port < 1 || request.port > 65535) {
    return refuse(status.INVALID_ARGUMENT, `port ${request.port} is out of range (1-65535)`);
  }
  if (request.port === context.grpcPort) {
    return refuse(
      status.INVALID_ARGUMENT,
      `port ${request.port} is the kdiag manager's own gRPC port; redirecting it would cut the manager off`,
    );
  }
  if (context.isRedirected(target)) {
    return refuse(status.ALREADY_EXISTS, `${describeTarget(target)} is already redirected by this kdiag manager`);
  }
  return { ok: true, target };
}

function refuse(code: status, details: string): CheckedRequest {
  return { ok: false, refusal: { code, details } };
}
