// gRPC failures of a Redirect call, translated into one sentence that names the pod and port.
import { status } from "@grpc/grpc-js";

export interface RedirectTargetText {
  pod: string;
  podPort: number;
  outgoing: boolean;
}

/** The status code and details of a grpc-js error, if it is one. */
export function readGrpcStatus(error: unknown): { code: number; details: string } | undefined {
  if (typeof error !== "object" || error === null || !("code" in error) || typeof error.code !== "number") return undefined;
  const details = "details" in error && typeof error.details === "string" ? error.details : "";
  return { code: error.code, details };
}

export function describeRedirect(target: RedirectTargetText): string {
  return target.outgoing ? `outgoing port ${target.podPort} of pod ${target.pod}` : `port ${target.podPort} of pod ${target.pod}`;
}

/**
 * One line for a Redirect stream that failed or ended without being asked to. `transport` is
 * why the port-forward under the gRPC connection failed, when known: it says more than
 * UNAVAILABLE's own details.
 */
export function describeRedirectFailure(error: unknown, target: RedirectTargetText, transport?: string): string {
  const what = describeRedirect(target);
  const grpc = readGrpcStatus(error);
  if (!grpc) return `cannot redirect ${what}: ${error instanceof Error ? error.message : String(error)}`;
  const details = grpc.details.split("\n", 1)[0]?.trim() || "no details";
  switch (grpc.code) {
    case status.ALREADY_EXISTS:
      return `${what} is already redirected (another \`kdiag redir\` is running against it); stop that one first`;
    case status.UNAUTHENTICATED:
      return `kdiag's manager in pod ${target.pod} refused kdiag's credential; run the command again`;
    case status.INVALID_ARGUMENT:
    case status.RESOURCE_EXHAUSTED:
    case status.FAILED_PRECONDITION:
    case status.PERMISSION_DENIED:
      return `cannot redirect ${what}: ${details}`;
    case status.ABORTED:
      return `kdiag's manager ended the redirect of ${what}: ${details}; run the command again`;
    case status.UNAVAILABLE:
      return `lost the connection to kdiag's manager in pod ${target.pod} while redirecting port ${target.podPort}: ${transport ?? details}; run the command again`;
    case status.DEADLINE_EXCEEDED:
      return `kdiag's manager in pod ${target.pod} did not answer in time for port ${target.podPort}; run the command again`;
    case status.UNIMPLEMENTED:
      return `kdiag's manager in pod ${target.pod} does not know Redirect (an older or newer version?); use the matching --image`;
    default:
      return `the redirect of ${what} failed: ${details}`;
  }
}
