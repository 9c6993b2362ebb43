// Plain requests of the Kubernetes API (a GET of JSON or text, a strategic-merge PATCH, a watch), over the
// same TLS options, credentials and headers as the session's streams (applyToHTTPSOptions: the
// kubeconfig's user and its exec plugin, --as, --as-group, --tls-server-name…), without
// client-node's generated API client: what a command asks on its way to a shell or a redirect
// (its pod, kdiag's container added, the manager's log) then does not wait for the 4 MB of that
// client to load. Objects come as the API sends them, as a watch's do (timestamps are strings). A
// failure has the shapes the generated client's have, so api-errors.ts translates both alike:
// `{ code, body }` for an HTTP status, node-fetch's words for a request that never got one.

import http from "node:http";
import https from "node:https";
import { KdiagError } from "../errors.ts";
import type { KubeSession } from "./config.ts";

type Query = Record<string, string | number | undefined>;

export async function getApiJson<T>(session: KubeSession, path: string, query: Query = {}): Promise<T> {
  return JSON.parse(await requestApi(session, { method: "GET", path, query, accept: "application/json" })) as T;
}

/** The body as text: a container's log. */
export async function getApiText(session: KubeSession, path: string, query: Query = {}): Promise<string> {
  return requestApi(session, { method: "GET", path, query, accept: "*/*" });
}

/** A strategic-merge patch of the object at `path`; resolves with the object as patched. */
export async function patchApiJson<T>(session: KubeSession, path: string, patch: unknown, query: Query = {}): Promise<T> {
  const body = JSON.stringify(patch);
  return JSON.parse(
    await requestApi(session, { method: "PATCH", path, query, accept: "application/json", body, contentType: "application/strategic-merge-patch+json" }),
  ) as T;
}

/**
 * A watch of the collection at `path` (query: its selector, resourceVersion…): each event as it
 * comes, until the server ends it (resolves) or `signal` aborts it (rejects).
 */
export async function watchApiJson(session: KubeSession, path: string, query: Query, onEvent: (type: string, object: unknown) => void, signal: AbortSignal): Promise<void> {
  const { incoming, url } = await openApi(session, { method: "GET", path, query: { ...query, watch: "true" }, accept: "application/json" }, signal);
  let partial = "";
  await new Promise<void>((resolve, reject) => {
    // What is not a watch's event (a proxy's page, a line without end) ends the watch as a failure.
    const fail = (reason: string) => {
      incoming.destroy();
      reject(Object.assign(new Error(`the watch of ${url.pathname} ${reason}`), { name: "FetchError" }));
    };
    incoming.setEncoding("utf8");
    incoming.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      if (partial.length > maxWatchLine) return fail(`sent a line of over ${maxWatchLine} bytes`);
      for (const line of lines.filter((text) => text.trim() !== "")) {
        let event: { type?: unknown; object?: unknown } | null;
        try {
          event = JSON.parse(line) as typeof event;
        } catch {
          return fail("sent something that is not JSON");
        }
        if (typeof event?.type !== "string") return fail("sent an event without a type");
        onEvent(event.type, event.object);
      }
    });
    incoming.on("end", () => resolve());
    incoming.on("error", (error) => reject(describeTransportError(url, error, signal)));
  });
}

/** A watch event is one object; a pod is tens of kilobytes. */
const maxWatchLine = 16 * 1024 * 1024;

interface Request {
  method: "GET" | "PATCH";
  path: string;
  query: Query;
  accept: string;
  body?: string;
  contentType?: string;
}

async function requestApi(session: KubeSession, request: Request): Promise<string> {
  // A fresh signal per request: --request-timeout bounds each request, as on the generated client's.
  const signal = session.requestTimeoutMs > 0 ? AbortSignal.timeout(session.requestTimeoutMs) : undefined;
  const { incoming, url } = await openApi(session, request, signal);
  return readBody(incoming).catch((error: Error) => Promise.reject(describeTransportError(url, error, signal)));
}

/** The response, once its status is a success; a failure thrown in the generated client's shape. */
async function openApi(session: KubeSession, request: Request, signal: AbortSignal | undefined): Promise<{ incoming: http.IncomingMessage; url: URL }> {
  const server = session.kc.getCurrentCluster()?.server ?? "";
  const url = new URL(`${server.replace(/\/+$/, "")}${request.path}`);
  for (const [name, value] of Object.entries(request.query)) if (value !== undefined) url.searchParams.set(name, String(value));
  // A name of `.` or `..` (a pod, a namespace) would be resolved away as a path segment, and the
  // request would reach another resource.
  if (url.pathname !== `${new URL(server).pathname.replace(/\/+$/, "")}${request.path}`) {
    const name = request.path.split("/").find((segment) => segment === "." || segment === "..") ?? request.path;
    throw new KdiagError(`\`${name}\` is not a name the Kubernetes API takes`);
  }
  const options: https.RequestOptions = {};
  await session.kc.applyToHTTPSOptions(options);
  const headers = {
    ...options.headers,
    Accept: request.accept,
    ...(request.body === undefined ? {} : { "Content-Type": request.contentType, "Content-Length": Buffer.byteLength(request.body) }),
  };
  const incoming = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const outgoing = (url.protocol === "http:" ? http : https).request(url, { ...options, method: request.method, headers, signal }, resolve);
    outgoing.on("error", (error) => reject(describeTransportError(url, error, signal)));
    outgoing.end(request.body);
  });
  incoming.on("error", () => {}); // Said by whoever reads the body.
  const status = incoming.statusCode ?? 0;
  if (status >= 200 && status <= 299) return { incoming, url };
  const body = await readBody(incoming).catch(() => "");
  throw Object.assign(new Error(`HTTP-Code: ${status}\nBody: ${body}`), { code: status, body });
}

function readBody(incoming: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    incoming.on("error", reject);
  });
}

/**
 * As node-fetch says it (the generated client's transport), an abort staying an abort: also one
 * that cut a response short, which the socket reports as a reset.
 */
function describeTransportError(url: URL, error: Error, signal: AbortSignal | undefined): Error {
  if (error.name === "AbortError" || error.name === "TimeoutError") return error;
  if (signal?.aborted && signal.reason instanceof Error) return signal.reason;
  return Object.assign(new Error(`request to ${url.href} failed, reason: ${error.message}`, { cause: error }), {
    name: "FetchError",
    code: (error as NodeJS.ErrnoException).code,
  });
}
