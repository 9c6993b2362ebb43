// Kubernetes API failures, translated at the boundary into sentences a user can act on. Pure:
// works on the shape of client-node's ApiException ({ code, body: V1Status }) and of fetch errors,
// so it is unit-tested without a cluster.

import { KdiagError, oneLine } from "../errors.ts";

/** What we were doing when the API failed, for the message. */
export interface ApiAction {
  verb: "get" | "list" | "patch" | "create" | "delete" | "watch";
  resource: string;
  namespace: string;
  name?: string;
  /** The API server address, for "cannot reach" messages. */
  server?: string;
  /** The --request-timeout in effect, for timeout messages. */
  requestTimeoutMs?: number;
}

interface StatusBody {
  message?: string;
  reason?: string;
  details?: { name?: string; kind?: string };
}

export function translateApiError(error: unknown, action: ApiAction): KdiagError {
  if (error instanceof KdiagError) return error;
  const code = readCode(error);
  if (code === undefined) return translateTransportError(error, action);
  const status = readStatus(error);
  const message = status.message ?? "";
  const where = `in namespace \`${action.namespace}\``;
  const fail = (text: string) => new KdiagError(text, { cause: error });

  const podSecurity = /violates PodSecurity "([a-z]+):([^"]+)"/.exec(message);
  if (podSecurity) {
    const [, level, version] = podSecurity;
    // The container's name says its profile (ephemeral.ts): kdiag-<profile>-<hash>, privileged unnamed.
    const profile = /container "kdiag-(netadmin|baseline|restricted)-/.exec(message)?.[1] ?? "privileged";
    return fail(
      `namespace \`${action.namespace}\` enforces PodSecurity \`${level}\` (${version}), which refuses kdiag's ${profile} ` +
        `container; --profile auto picks one it admits, or debug in a namespace labelled pod-security.kubernetes.io/enforce=privileged`,
    );
  }
  switch (code) {
    case 401:
      return fail(`the API server${at(action)} rejected the credentials (401 Unauthorized); log in again or fix the kubeconfig's user`);
    case 403:
      return fail(
        `${subject(message)} not allowed to ${action.verb} ${action.resource} ${where}${
          action.name ? ` (pod \`${action.name}\`)` : ""
        }; ask a cluster admin for \`${action.verb}\` on \`${action.resource}\``,
      );
    case 404:
      if (action.resource === "pods/ephemeralcontainers" && !status.details?.name) {
        return fail(
          "this cluster does not support ephemeral containers (no pods/ephemeralcontainers subresource); kdiag needs Kubernetes 1.25 or newer",
        );
      }
      if (action.name !== undefined) return fail(`pod \`${action.name}\` not found ${where}`);
      return fail(`${action.resource} not found ${where}: ${message || "404 Not Found"}`);
    default:
      return fail(`${action.verb} ${action.resource} ${where} failed (${code}${status.reason ? ` ${status.reason}` : ""}): ${oneLine(message) || "no details"}`);
  }
}

function translateTransportError(error: unknown, action: ApiAction): KdiagError {
  const name = error instanceof Error ? error.name : "";
  const detail = error instanceof Error ? oneLine(error.message) : String(error);
  if (name === "AbortError" || name === "TimeoutError") {
    const seconds = (action.requestTimeoutMs ?? 0) / 1000;
    return new KdiagError(
      `the API server${at(action)} did not answer within --request-timeout (${seconds}s); retry, or raise --request-timeout`,
      { cause: error },
    );
  }
  return new KdiagError(`cannot reach the API server${at(action)}: ${detail}`, { cause: error });
}

/** The HTTP status behind an error (ours keep the API's error as their cause), if any. */
export function getApiStatus(error: unknown): number | undefined {
  return readCode(error) ?? (error instanceof Error ? readCode(error.cause) : undefined);
}

function readCode(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null || !("code" in error)) return undefined;
  const code = error.code;
  return typeof code === "number" ? code : undefined;
}

function readStatus(error: unknown): StatusBody {
  if (typeof error !== "object" || error === null || !("body" in error)) return {};
  const body = error.body;
  if (typeof body === "string") {
    try {
      return readStatus({ body: JSON.parse(body) });
    } catch {
      return { message: body };
    }
  }
  return typeof body === "object" && body !== null ? (body as StatusBody) : {};
}

/** `User "x"` from an RBAC denial, so the message says who lacks the permission. */
function subject(message: string): string {
  const user = /User "([^"]+)"/.exec(message)?.[1];
  return user ? `user \`${user}\` is` : "you are";
}

function at(action: ApiAction): string {
  return action.server ? ` at ${action.server}` : "";
}
