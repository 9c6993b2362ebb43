// Every call kdiag makes to its manager goes through here: one deadline for unary calls and one
// translation of gRPC statuses into a sentence, told what was being attempted (listing processes,
// redirecting a port) and in which pod. A failed port-forward shows up in grpc-js only as
// UNAVAILABLE, so the forward's own error, when there is one, says why.

import { Metadata, status, type ServiceError } from "@grpc/grpc-js";
import type { ConntrackRequest, ConntrackResponse, ManagerClient, Probe, ProbeResult, Process, ReachResponse, RuleDump, RulesResponse, VersionResponse } from "../api/gen/kdiag.ts";
import { describeError, KdiagError } from "./errors.ts";

/** How long a unary call may take before kdiag gives up on the manager. */
export const managerCallTimeoutMs = 30_000;

export interface ManagerPlace {
  podName: string;
  /** The last failure to open a connection to the manager (explains UNAVAILABLE). */
  lastForwardError(): unknown;
}

export type ManagerAttempt =
  | { kind: "ps" }
  | { kind: "ping" }
  | { kind: "version" }
  | { kind: "reach"; probes: number }
  | { kind: "rules" }
  | { kind: "conntrack"; delete: boolean }
  | { kind: "redirect"; port: number; outgoing: boolean };

/** The unary calls, each with the deadline and failures as KdiagErrors. */
export interface ManagerCalls {
  listProcesses(): Promise<Process[]>;
  /** A round trip on the same connection: once it answers, the manager has seen what came before. */
  ping(): Promise<void>;
  /** What the manager is and what it lacks (capabilities per feature). */
  version(): Promise<VersionResponse>;
  /** Dials PROBES from the pod; each round of dials may take the whole probe timeout, so the caller sets the deadline. */
  reach(probes: Probe[], timeoutMs: number, deadline: Date): Promise<ProbeResult[]>;
  /** Every backend's dump of the pod's packet-filter rules. */
  rules(): Promise<RuleDump[]>;
  /** The pod's matching conntrack entries, or (with `delete`) how many were removed. */
  conntrack(request: ConntrackRequest): Promise<ConntrackResponse>;
}

export function createManagerCalls(client: ManagerClient, place: ManagerPlace): ManagerCalls {
  return {
    listProcesses: async () =>
      (await callUnary<{ processes: Process[] }>(place, { kind: "ps" }, (done) => client.ps({}, new Metadata(), { deadline: callDeadline() }, done)))
        .processes,
    ping: async () => {
      await callUnary(place, { kind: "ping" }, (done) => client.version({}, new Metadata(), { deadline: callDeadline() }, done));
    },
    version: () => callUnary<VersionResponse>(place, { kind: "version" }, (done) => client.version({}, new Metadata(), { deadline: callDeadline() }, done)),
    reach: async (probes, timeoutMs, deadline) =>
      (await callUnary<ReachResponse>(place, { kind: "reach", probes: probes.length }, (done) => client.reach({ probes, timeoutMs }, new Metadata(), { deadline }, done)))
        .results,
    rules: async () =>
      (await callUnary<RulesResponse>(place, { kind: "rules" }, (done) => client.rules({}, new Metadata(), { deadline: callDeadline() }, done))).dumps,
    conntrack: (request) =>
      callUnary<ConntrackResponse>(place, { kind: "conntrack", delete: request.delete }, (done) => client.conntrack(request, new Metadata(), { deadline: callDeadline() }, done)),
  };
}

function callDeadline(): Date {
  return new Date(Date.now() + managerCallTimeoutMs);
}

type Callback<T> = (error: ServiceError | null, response: T) => void;

function callUnary<T>(place: ManagerPlace, attempt: ManagerAttempt, start: (done: Callback<T>) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    start((error, response) => (error ? reject(new KdiagError(describeManagerFailure(error, attempt, place), { cause: error })) : resolve(response)));
  });
}

/** The status code and details of a grpc-js error, if it is one. */
export function readGrpcStatus(error: unknown): { code: number; details: string } | undefined {
  if (typeof error !== "object" || error === null || !("code" in error) || typeof error.code !== "number") return undefined;
  const details = "details" in error && typeof error.details === "string" ? error.details : "";
  return { code: error.code, details };
}

/** `port 80 of pod web-1`, `outgoing port 80 of pod web-1`. */
export function describeRedirect(target: { pod: string; podPort: number; outgoing: boolean }): string {
  return `${target.outgoing ? "outgoing " : ""}port ${target.podPort} of pod ${target.pod}`;
}

/** How each attempt reads in a sentence. */
function phrase(attempt: ManagerAttempt, pod: string): { action: string; during: string; noun: string } {
  switch (attempt.kind) {
    case "ps":
      return { action: `list the processes of pod ${pod}`, during: "while listing its processes", noun: "the process list" };
    case "ping":
      return { action: `reach kdiag's manager in pod ${pod}`, during: "while checking it answers", noun: "the check" };
    case "version":
      return { action: `ask kdiag's manager in pod ${pod} what it can do`, during: "while asking what it can do", noun: "the answer" };
    case "reach":
      return { action: `probe ${attempt.probes} destinations from pod ${pod}`, during: "while probing", noun: "the probe results" };
    case "rules":
      return { action: `read the rules of pod ${pod}`, during: "while reading its rules", noun: "the rules" };
    case "conntrack":
      return attempt.delete
        ? { action: `delete conntrack entries of pod ${pod}`, during: "while deleting conntrack entries", noun: "conntrack entries" }
        : { action: `list the conntrack entries of pod ${pod}`, during: "while listing conntrack entries", noun: "conntrack entries" };
    case "redirect": {
      const what = describeRedirect({ pod, podPort: attempt.port, outgoing: attempt.outgoing });
      return { action: `redirect ${what}`, during: `while redirecting port ${attempt.port}`, noun: `the redirect of ${what}` };
    }
  }
}

/** One line for a failed call or a stream that failed or ended without being asked to. */
export function describeManagerFailure(error: unknown, attempt: ManagerAttempt, place: ManagerPlace): string {
  const manager = `kdiag's manager in pod ${place.podName}`;
  const { action, during, noun } = phrase(attempt, place.podName);
  const grpc = readGrpcStatus(error);
  if (!grpc) return `cannot ${action}: ${describeError(error)}`;
  const details = grpc.details.split("\n", 1)[0]?.trim() || "no details";
  switch (grpc.code) {
    case status.ALREADY_EXISTS:
      if (attempt.kind === "redirect") {
        const what = describeRedirect({ pod: place.podName, podPort: attempt.port, outgoing: attempt.outgoing });
        return `${what} is already redirected (another \`kdiag redir\` is running against it); stop that one first`;
      }
      return `cannot ${action}: ${details}`;
    case status.UNAUTHENTICATED:
      return `${manager} refused kdiag's credential; run the command again`;
    case status.INVALID_ARGUMENT:
    case status.RESOURCE_EXHAUSTED:
    case status.FAILED_PRECONDITION:
    case status.PERMISSION_DENIED:
      return `cannot ${action}: ${details}`;
    case status.ABORTED:
      return `kdiag's manager ended ${noun}${attempt.kind === "redirect" ? "" : ` of pod ${place.podName}`}: ${details}; run the command again`;
    case status.UNAVAILABLE: {
      const transport = place.lastForwardError();
      return `lost the connection to ${manager} ${during}: ${transport === undefined ? details : describeError(transport)}; run the command again`;
    }
    case status.DEADLINE_EXCEEDED:
      return `${manager} did not answer in time ${during}; run the command again`;
    case status.UNIMPLEMENTED:
      return `${manager} is from another kdiag version (it does not know ${noun}); use the --image matching this CLI`;
    default:
      return `cannot ${action}: ${details}`;
  }
}
