// A GET of the Kubernetes API answered as JSON, over the same TLS options, credentials and
// headers as the session's streams (applyToHTTPSOptions: the kubeconfig's user and its exec
// plugin, --as, --as-group, --tls-server-name…), without client-node's generated API client: the
// commands' first request (their pod) then does not wait for the 4 MB of that client to load.
// Objects come as the API sends them, as a watch's do (timestamps are strings). A failure has the
// shapes the generated client's have, so api-errors.ts translates both alike: `{ code, body }` for
// an HTTP status, node-fetch's words for a request that never got one.

import http from "node:http";
import https from "node:https";
import type { KubeSession } from "./config.ts";

export async function getApiJson<T>(session: KubeSession, path: string, query: Record<string, string | undefined> = {}): Promise<T> {
  const server = session.kc.getCurrentCluster()?.server ?? "";
  const url = new URL(`${server.replace(/\/+$/, "")}${path}`);
  for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, value);
  const options: https.RequestOptions = {};
  await session.kc.applyToHTTPSOptions(options);
  // A fresh signal per request: --request-timeout bounds each request, as on the generated client's.
  const signal = session.requestTimeoutMs > 0 ? AbortSignal.timeout(session.requestTimeoutMs) : undefined;
  const response = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const request = (url.protocol === "http:" ? http : https).request(
      url,
      { ...options, method: "GET", headers: { ...options.headers, Accept: "application/json" }, signal },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
        incoming.on("end", () => resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        incoming.on("error", (error) => reject(describeTransportError(url, error)));
      },
    );
    request.on("error", (error) => reject(describeTransportError(url, error)));
    request.end();
  });
  if (response.status < 200 || response.status > 299) {
    throw Object.assign(new Error(`HTTP-Code: ${response.status}\nBody: ${response.body}`), { code: response.status, body: response.body });
  }
  return JSON.parse(response.body) as T;
}

/** As node-fetch says it (the generated client's transport), an abort staying an abort. */
function describeTransportError(url: URL, error: Error): Error {
  if (error.name === "AbortError" || error.name === "TimeoutError") return error;
  return Object.assign(new Error(`request to ${url.href} failed, reason: ${error.message}`, { cause: error }), {
    name: "FetchError",
    code: (error as NodeJS.ErrnoException).code,
  });
}
