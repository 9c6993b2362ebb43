// Exec and port-forward open WebSockets; when the API server refuses the upgrade, the ws library
// only says "Unexpected server response: 403". Turn that into the permission that is missing.

import { KdiagError } from "../errors.ts";

export interface UpgradeContext {
  resource: "pods/exec" | "pods/portforward";
  namespace: string;
  pod: string;
}

export function translateUpgradeError(error: unknown, context: UpgradeContext): KdiagError {
  const message = describeSocketError(error);
  const status = /Unexpected server response: (\d{3})/.exec(message)?.[1];
  const what = context.resource === "pods/exec" ? "exec into" : "port-forward to";
  switch (status) {
    case "401":
      return new KdiagError(`cannot ${what} pod \`${context.pod}\`: the API server rejected the credentials (401); log in again`, { cause: error });
    case "403":
      return new KdiagError(
        `not allowed to ${what} pod \`${context.pod}\`: ask a cluster admin for \`create\` on \`${context.resource}\` in namespace \`${context.namespace}\``,
        { cause: error },
      );
    case "404":
      return new KdiagError(`cannot ${what} pod \`${context.pod}\` in namespace \`${context.namespace}\`: not found (404)`, { cause: error });
    default:
      return new KdiagError(`cannot ${what} pod \`${context.pod}\`: ${message}`, { cause: error });
  }
}

export function describeSocketError(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error) return String(error.message);
  return String(error);
}
