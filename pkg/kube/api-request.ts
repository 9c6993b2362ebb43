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
    incoming.setEncoding("utf8");
    incoming.on("data", (chunk: string) => {
      const lines = (partial + chunk).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines.filter((text) => text.trim() !== "")) {
        const event = JSON.parse(line) as { type?: string; object?: unknown };
        onEvent(event.type ?? "", event.object);
      }
    });
    incoming.on("end", () => resolve());
    incoming.on("error", (error) => reject(describeTransportError(url, error)));
  });
}

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
  return readBody(incoming).catch((error: Error) => Promise.reject(describeTransportError(url, error)));
}

/** The response, once its status is a success; a failure thrown in the generated client's shape. */
async function openApi(session: KubeSession, request: Request, signal: AbortSignal | undefined): Promise<{ incoming: http.IncomingMessage; url: URL }> {
  const server = session.kc.getCurrentCluster()?.server ?? "";
  const url = new URL(`${server.replace(/\/+$/, "")}${request.path}`);
  for (const [name, value] of Object.entries(request.query)) if (value !== undefined) url.searchParams.set(name, String(value));
  const options: https.RequestOptions = {};
  await session.kc.applyToHTTPSOptions(options);
  const headers = {
    ...options.headers,
    Accept: request.accept,
    ...(request.body === undefined ? {} : { "Content-Type": request.contentType, "Content-Length": Buffer.byteLength(request.body) }),
  };
  const incoming = await new Promise<http.IncomingMessage>((resolve, reject) => {
    const outgoing = (url.protocol === "http:" ? http : https).request(url, { ...options, method: request.method, headers, signal }, resolve);
    outgoing.on("error", (error) => reject(describeTransportError(url, error)));
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

/** As node-fetch says it (the generated client's transport), an abort staying an abort. */
function describeTransportError(url: URL, error: Error): Error {
  if (error.name === "AbortError" || error.name === "TimeoutError") return error;
  return Object.assign(new Error(`request to ${url.href} failed, reason: ${error.message}`, { cause: error }), {
    name: "FetchError",
    code: (error as NodeJS.ErrnoException).code,
  });
}
