// One follow request on `pods/log`, made directly so that we see when the response opens, when
// its body ends or breaks, and the API's status on failure — client-node's Log class pipes the
// body away and loses both the end and the error of a follow that closes early.
import http from "node:http";
import https from "node:https";
import type { Readable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";

export interface LogRequest {
  pod: string;
  container: string;
  /** RFC3339, whole seconds. */
  sinceTime: string;
}

export interface OpenLog {
  /** The response body: `timestamps=true` lines. Ends when the follow ends or breaks. */
  body: Readable;
  close(): void;
}

/** What the API answered instead of a log stream. */
export class LogRequestError extends Error {
  override name = "LogRequestError";
  constructor(
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
  }
}

export type OpenLogFn = (request: LogRequest) => Promise<OpenLog>;

/** Builds the opener for one namespace from a kubeconfig (auth, TLS and server address). */
export function createLogOpener(kc: KubeConfig, namespace: string): OpenLogFn {
  return async (request) => {
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new LogRequestError("the kubeconfig's context names no cluster server", 0);
    const url = new URL(`${server.replace(/\/$/, "")}/api/v1/namespaces/${encodeURIComponent(namespace)}/pods/${encodeURIComponent(request.pod)}/log`);
    url.searchParams.set("container", request.container);
    url.searchParams.set("follow", "true");
    url.searchParams.set("timestamps", "true");
    url.searchParams.set("sinceTime", request.sinceTime);
    const options: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(options);
    return requestLog(url, options);
  };
}

function requestLog(url: URL, options: https.RequestOptions): Promise<OpenLog> {
  const transport = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const request = transport.get(url, { ...options, method: "GET" }, (response) => {
      if (response.statusCode === 200) {
        // A follow is quiet for long stretches; keep the connection from being dropped as idle.
        response.socket.setKeepAlive(true, 30_000);
        resolve({ body: response, close: () => request.destroy() });
        return;
      }
      readStatus(response).then(
        (message) => reject(new LogRequestError(message, response.statusCode ?? 0)),
        reject,
      );
    });
    request.on("error", reject);
  });
}

/** The `message` of a Kubernetes Status body, or the HTTP status line. */
async function readStatus(response: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(Buffer.from(chunk));
  const text = Buffer.concat(chunks).toString("utf8");
  try {
    const status: unknown = JSON.parse(text);
    if (typeof status === "object" && status !== null && "message" in status && typeof status.message === "string") {
      return status.message;
    }
  } catch {
    // not JSON: fall through to the status line
  }
  return `${response.statusCode} ${response.statusMessage ?? ""}`.trim();
}
