// The HTTP transport of the generated API clients, as client-node's own (node-fetch, its agent
// for TLS) but with a list of headers that may repeat a name: the API server reads each
// Impersonate-Group header as one group and does not split a comma-joined value.

import { ResponseContext, wrapHttpLibrary, type HttpLibrary, type RequestContext } from "@kubernetes/client-node";
import type { RequestInit } from "node-fetch";

export type HeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** A transport adding `extra` to each request, in place of any header of the same names. */
export function createHeaderListTransport(extra: HeaderList): HttpLibrary {
  const replaced = new Set(extra.map(([name]) => name.toLowerCase()));
  return wrapHttpLibrary({
    async send(request: RequestContext): Promise<ResponseContext> {
      // Loaded with the first request: node-fetch and its URL parser cost 20 ms to load, which a
      // command that makes no generated-API call would pay for nothing.
      const { default: fetch } = await import("node-fetch");
      const kept = Object.entries(request.getHeaders()).filter(([name]) => !replaced.has(name.toLowerCase()));
      const response = await fetch(request.getUrl(), {
        method: request.getHttpMethod(),
        body: request.getBody(),
        headers: [...kept, ...extra].map(([name, value]) => [name, value]),
        // node-fetch declares its own AbortSignal type; the global one is what it accepts.
        signal: request.getSignal() as RequestInit["signal"],
        agent: request.getAgent(),
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        headers[name] = value;
      });
      return new ResponseContext(response.status, headers, {
        text: () => response.text(),
        binary: () => response.buffer(),
      });
    },
  });
}
