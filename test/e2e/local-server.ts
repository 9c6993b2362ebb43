// The developer's HTTP server on this machine's loopback, the target of the redir tests:
// answers "hello from local" and records the paths it was asked.
import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface LocalServer {
  port: number;
  /** Paths asked so far. */
  requests: string[];
  close(): Promise<void>;
}

export async function startLocalServer(): Promise<LocalServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(request.url ?? "");
    response.end("hello from local\n");
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
