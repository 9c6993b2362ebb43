// The Reach call: checks the request, then dials every probe at once through one manager-wide
// limit on dials in flight, so that a few callers with 256 probes each cannot turn the pod into
// a port scanner's worth of sockets. Calls beyond a handful at a time are refused, not queued.
import { status, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { ReachRequest, ReachResponse } from "../api/gen/kdiag.ts";
import type { Log } from "./log.ts";
import { checkReachRequest } from "./reach-request.ts";
import { runProbe } from "./reach-probe.ts";

export const maxDialsInFlight = 32;
export const maxCallsAtOnce = 4;

export type ReachHandler = (call: ServerUnaryCall<ReachRequest, ReachResponse>, callback: sendUnaryData<ReachResponse>) => void;

export function createReachHandler(options: { log: Log }): ReachHandler {
  const limit = createLimit(maxDialsInFlight);
  let calls = 0;
  return (call, callback) => {
    const checked = checkReachRequest(call.request);
    if (!checked.ok) return callback({ code: checked.refusal.code, details: checked.refusal.details });
    if (calls >= maxCallsAtOnce) {
      return callback({ code: status.RESOURCE_EXHAUSTED, details: `${maxCallsAtOnce} reach calls are running on this kdiag manager; try again when one ends` });
    }
    calls++;
    const started = Date.now();
    void Promise.all(checked.probes.map((probe) => limit(() => runProbe(probe, checked.timeoutMs))))
      .then(
        (results) => {
          options.log("info", "reach", { probes: results.length, reachable: results.filter((result) => result.reachable).length, ms: Date.now() - started });
          callback(null, { results });
        },
        (error: Error) => callback({ code: status.INTERNAL, details: `a probe failed unexpectedly: ${error.message}` }),
      )
      .finally(() => calls--);
  };
}

/** Runs at most `size` tasks at once, the rest in the order they came. */
function createLimit(size: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async (task) => {
    // A finishing task hands its place straight to the next in line.
    if (running >= size) await new Promise<void>((resolve) => waiting.push(resolve));
    else running++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
