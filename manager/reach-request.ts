// Checks a ReachRequest before anything is dialled: how many probes, how long each may take, and
// that every host and port is one a dial can take. A refusal carries the gRPC status code and a
// message the CLI shows as it is.
import { isIP } from "node:net";
import { status } from "@grpc/grpc-js";
import { Probe_Protocol, type Probe, type ReachRequest } from "../api/gen/kdiag.ts";
import type { Refusal } from "./redirect-request.ts";

export const maxProbes = 256;
export const maxTimeoutMs = 10_000;

export type CheckedReach = { ok: true; probes: Probe[]; timeoutMs: number } | { ok: false; refusal: Refusal };

// RFC 1123 labels (underscores allowed, as in SRV-style names), 253 characters at most.
const dnsName = /^(?=.{1,253}\.?$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i;

export function checkReachRequest(request: ReachRequest): CheckedReach {
  if (request.probes.length === 0) return refuse(status.INVALID_ARGUMENT, "a reach request needs at least one probe");
  if (request.probes.length > maxProbes) {
    return refuse(status.RESOURCE_EXHAUSTED, `${request.probes.length} probes in one reach request; at most ${maxProbes}`);
  }
  if (request.timeoutMs < 1 || request.timeoutMs > maxTimeoutMs) {
    return refuse(status.INVALID_ARGUMENT, `a probe timeout of ${request.timeoutMs} ms is out of range (1-${maxTimeoutMs} ms)`);
  }
  for (const probe of request.probes) {
    const problem = findProbeProblem(probe);
    if (problem) return refuse(status.INVALID_ARGUMENT, problem);
  }
  return { ok: true, probes: request.probes, timeoutMs: request.timeoutMs };
}

function findProbeProblem(probe: Probe): string | undefined {
  if (probe.port < 1 || probe.port > 65535) return `port ${probe.port} is out of range (1-65535)`;
  if (isIP(probe.host) === 0 && !dnsName.test(probe.host)) {
    return `host ${JSON.stringify(probe.host.slice(0, 80))} is neither an IP address nor a DNS name`;
  }
  if (probe.protocol !== Probe_Protocol.TCP && probe.protocol !== Probe_Protocol.UDP) return `protocol ${probe.protocol} is not TCP or UDP`;
  if (probe.http && probe.protocol !== Probe_Protocol.TCP) return `an HTTP probe of ${probe.host}:${probe.port} must be TCP`;
  return undefined;
}

function refuse(code: status, details: string): CheckedReach {
  return { ok: false, refusal: { code, details } };
}
