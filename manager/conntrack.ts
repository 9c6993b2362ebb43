// The Conntrack call: checks the request, then runs the netlink `conntrack` tool in the pod's
// network namespace — listing the matching entries (bounded) or deleting them and counting.
// Note that the kernel tracks connections in a namespace only while a rule there uses conntrack
// (NAT, `ct state`); a pod without such rules has an empty table, its Service NAT being the node's.
import { isIP } from "node:net";
import { status, type sendUnaryData, type ServerUnaryCall } from "@grpc/grpc-js";
import type { ConntrackEntry, ConntrackRequest, ConntrackResponse } from "../api/gen/kdiag.ts";
import { conntrackProtocols, type ConntrackFilter } from "../api/conntrack-filter.ts";
import { buildConntrackArgs, parseConntrackListing, parseDeletedCount } from "./conntrack-commands.ts";
import type { Log } from "./log.ts";
import type { Refusal } from "./redirect-request.ts";
import { describeToolFailure, runTool } from "./run-tool.ts";

export const conntrackPath = "/usr/sbin/conntrack";
export const maxConntrackEntries = 4096;
export const conntrackTimeoutMs = 10_000;
// A listing line is ~200 bytes; room for the entries a call returns, and then some.
const maxListingBytes = 2 * 1024 * 1024;
export const maxConntrackCallsAtOnce = 2;

export type ConntrackHandler = (call: ServerUnaryCall<ConntrackRequest, ConntrackResponse>, callback: sendUnaryData<ConntrackResponse>) => void;

export function createConntrackHandler(options: { log: Log }): ConntrackHandler {
  let calls = 0;
  return (call, callback) => {
    const checked = checkConntrackRequest(call.request);
    if ("refusal" in checked) return callback({ code: checked.refusal.code, details: checked.refusal.details });
    if (calls >= maxConntrackCallsAtOnce) {
      return callback({ code: status.RESOURCE_EXHAUSTED, details: `${maxConntrackCallsAtOnce} conntrack calls are running on this kdiag manager; try again when one ends` });
    }
    calls++;
    const work = call.request.delete ? deleteEntries(checked.filter) : listEntries(checked.filter);
    void work
      .then(
        (response) => {
          options.log("info", "conntrack", { delete: call.request.delete, entries: response.entries.length, deleted: response.deleted });
          callback(null, response);
        },
        (error: Error) => callback({ code: status.FAILED_PRECONDITION, details: error.message }),
      )
      .finally(() => calls--);
  };
}

export function checkConntrackRequest(request: ConntrackRequest): { filter: ConntrackFilter } | { refusal: Refusal } {
  const protocol = conntrackProtocols.find((candidate) => candidate === request.protocol);
  if (request.protocol !== "" && !protocol) return refuse(`protocol ${JSON.stringify(request.protocol.slice(0, 20))} is not tcp or udp`);
  if (request.destination !== "" && isIP(request.destination) === 0) return refuse(`destination ${JSON.stringify(request.destination.slice(0, 80))} is not an IP address`);
  if (request.port > 65535) return refuse(`port ${request.port} is out of range (1-65535)`);
  // Unfiltered, a delete would flush the whole table (on a hostNetwork pod, the node's: every
  // Service's NAT with it). Deleting names what: a destination or a port.
  if (request.delete && request.destination === "" && request.port === 0) {
    return refuse("deleting conntrack entries needs a destination (--dst) or a port (--dport)");
  }
  return {
    filter: {
      ...(protocol ? { protocol } : {}),
      ...(request.destination === "" ? {} : { destination: request.destination }),
      ...(request.port === 0 ? {} : { port: request.port }),
    },
  };
}

function refuse(details: string): { refusal: Refusal } {
  return { refusal: { code: status.INVALID_ARGUMENT, details } };
}

async function listEntries(filter: ConntrackFilter): Promise<ConntrackResponse> {
  const entries: ConntrackEntry[] = [];
  let truncated = false;
  for (const args of buildConntrackArgs("list", filter)) {
    const run = { path: conntrackPath, args, timeoutMs: conntrackTimeoutMs, maxBytes: maxListingBytes };
    const result = await runTool(run);
    const failure = describeToolFailure(run, result);
    if (failure !== undefined) throw new Error(failure);
    entries.push(...parseConntrackListing(result.stdout));
    truncated ||= result.truncated;
  }
  if (entries.length > maxConntrackEntries) truncated = true;
  return { entries: entries.slice(0, maxConntrackEntries), truncated, deleted: 0 };
}

async function deleteEntries(filter: ConntrackFilter): Promise<ConntrackResponse> {
  let deleted = 0;
  for (const args of buildConntrackArgs("delete", filter)) {
    const run = { path: conntrackPath, args, timeoutMs: conntrackTimeoutMs, maxBytes: 0, discardStdout: true };
    const result = await runTool(run);
    // conntrack exits with 1 when nothing matched; its closing line still counts (0).
    const count = result.timedOut ? undefined : parseDeletedCount(result.stderr);
    if (count === undefined) throw new Error(describeToolFailure(run, result) ?? `${conntrackPath} did not say how many entries it deleted`);
    deleted += count;
  }
  return { entries: [], truncated: false, deleted };
}
