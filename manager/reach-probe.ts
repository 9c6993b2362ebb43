// One probe of a Reach call, dialled from the manager's (the pod's) network namespace: resolve
// the host through the pod's resolver, then a TCP connect (and, for HTTP, `GET /` and the first
// line of the body) or a UDP datagram and its reply, all within one timeout. Every failure
// becomes a short word the matrix can explain ("refused", "timeout", …), never an exception.
import dgram from "node:dgram";
import { lookup } from "node:dns/promises";
import http from "node:http";
import { connect as connectTcp, isIP } from "node:net";
import { Probe_Protocol, type Probe, type ProbeResult } from "../api/gen/kdiag.ts";

const firstLineLimit = 200;

type Outcome = Pick<ProbeResult, "reachable" | "unknown" | "error"> & { latencyMs?: number; httpFirstLine?: string };

export async function runProbe(probe: Probe, timeoutMs: number): Promise<ProbeResult> {
  const deadline = Date.now() + timeoutMs;
  const resolved = await resolveHost(probe.host, timeoutMs);
  if ("error" in resolved) return { ...emptyResult(), error: resolved.error, unknown: resolved.unknown ?? false };
  const target = { address: resolved.address, port: probe.port, remainingMs: Math.max(1, deadline - Date.now()) };
  const outcome =
    probe.protocol === Probe_Protocol.UDP
      ? await sendDatagram(target)
      : probe.http
        ? await getFirstLine({ ...target, hostHeader: formatHostPort(probe.host, probe.port) })
        : await connectOnce(target);
  return {
    ...emptyResult(),
    ...outcome,
    latencyMs: Math.round((outcome.latencyMs ?? 0) * 10) / 10,
    httpFirstLine: outcome.httpFirstLine ?? "",
    address: resolved.address,
  };
}

function emptyResult(): ProbeResult {
  return { reachable: false, unknown: false, error: "", latencyMs: 0, address: "", httpFirstLine: "" };
}

/**
 * Lookups that have not settled, timed out or not: getaddrinfo cannot be cancelled and Node runs
 * few at once, so against a silent resolver they would queue for minutes and make every later
 * name probe of this manager a "timeout" long after DNS is fixed. Past the bound, say so instead.
 */
let pendingLookups = 0;
const maxPendingLookups = 8;

async function resolveHost(host: string, timeoutMs: number): Promise<{ address: string } | { error: string; unknown?: boolean }> {
  if (isIP(host) !== 0) return { address: host };
  if (pendingLookups >= maxPendingLookups) return { error: "resolver busy (earlier lookups have not finished)", unknown: true };
  pendingLookups++;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<{ error: string }>((resolve) => (timer = setTimeout(() => resolve({ error: "timeout (resolving)" }), timeoutMs)));
  // getaddrinfo: the pod's /etc/hosts, then its resolv.conf (search domains included), as its apps do.
  const answered = lookup(host)
    .then(
      ({ address }) => ({ address }),
      (error: NodeJS.ErrnoException) => ({ error: describeFailure(error) }),
    )
    .finally(() => pendingLookups--);
  try {
    return await Promise.race([answered, expired]);
  } finally {
    clearTimeout(timer);
  }
}

interface Target {
  address: string;
  port: number;
  remainingMs: number;
}

function connectOnce(target: Target): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = connectTcp({ host: target.address, port: target.port });
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish(notReached("timeout")), target.remainingMs);
    socket.once("connect", () => finish({ reachable: true, unknown: false, error: "", latencyMs: performance.now() - started }));
    socket.on("error", (error: NodeJS.ErrnoException) => finish(notReached(describeFailure(error))));
  });
}

function getFirstLine(target: Target & { hostHeader: string }): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    let connectedMs: number | undefined;
    const request = http.request({
      host: target.address,
      port: target.port,
      path: "/",
      agent: false,
      headers: { host: target.hostHeader, "user-agent": "kdiag-reach", connection: "close" },
    });
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      request.destroy();
      resolve(outcome);
    };
    const failAfterConnect = (reason: string): Outcome => ({ reachable: false, unknown: true, error: `http: ${reason}`, latencyMs: connectedMs });
    const timer = setTimeout(
      () => finish(connectedMs === undefined ? notReached("timeout") : failAfterConnect("no answer in time")),
      target.remainingMs,
    );
    request.once("socket", (socket) => socket.once("connect", () => (connectedMs = performance.now() - started)));
    request.on("error", (error: NodeJS.ErrnoException) =>
      finish(connectedMs === undefined ? notReached(describeFailure(error)) : failAfterConnect(describeFailure(error))),
    );
    request.once("response", (response) => {
      let body = "";
      const answer = () => finish({ reachable: true, unknown: false, error: "", latencyMs: connectedMs, httpFirstLine: body.split(/\r?\n/, 1)[0] ?? "" });
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => {
        body = (body + chunk).slice(0, firstLineLimit);
        if (/\n/.test(body) || body.length >= firstLineLimit) answer();
      });
      response.once("end", answer);
      response.on("error", answer);
    });
    request.end();
  });
}

// A reply proves delivery; silence proves nothing (most UDP services ignore a stray datagram),
// but an ICMP port unreachable, which Linux reports on a connected socket, is a real "no".
function sendDatagram(target: Target): Promise<Outcome> {
  return new Promise((resolve) => {
    const started = performance.now();
    const socket = dgram.createSocket(isIP(target.address) === 6 ? "udp6" : "udp4");
    let done = false;
    const finish = (outcome: Outcome) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ reachable: false, unknown: true, error: "no reply" }), target.remainingMs);
    socket.on("error", (error: NodeJS.ErrnoException) => finish(notReached(describeFailure(error))));
    socket.once("message", () => finish({ reachable: true, unknown: false, error: "", latencyMs: performance.now() - started }));
    // A failed connect (no route, a broadcast address) comes to this callback, not to "error": sending
    // on the unconnected socket would then throw outside any handler and end the manager.
    socket.connect(target.port, target.address, (error?: Error) => {
      if (error) finish(notReached(describeFailure(error as NodeJS.ErrnoException)));
      else socket.send(Buffer.from("kdiag reach\n"));
    });
  });
}

function notReached(error: string): Outcome {
  return { reachable: false, unknown: false, error };
}

const failureWords: Record<string, string> = {
  ECONNREFUSED: "refused",
  ETIMEDOUT: "timeout",
  EHOSTUNREACH: "unreachable",
  ENETUNREACH: "unreachable",
  EHOSTDOWN: "unreachable",
  EADDRNOTAVAIL: "unreachable",
  ECONNRESET: "reset",
  EPIPE: "reset",
  ENOTFOUND: "no such host",
  ENODATA: "no such host",
  EAI_AGAIN: "resolver did not answer",
};

export function describeFailure(error: NodeJS.ErrnoException): string {
  return (error.code && failureWords[error.code]) ?? (error.code ?? error.message).toLowerCase();
}

function formatHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
