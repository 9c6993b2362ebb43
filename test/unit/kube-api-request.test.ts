// kdiag's plain requests of the API (pkg/kube/api-request.ts) against a server that misbehaves:
// a watch that sends something else than events, a name that would leave its path, a response
// cut short by --request-timeout. Each ends in an error the command can say in one line, never
// a crash, and never a request to another resource.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { getApiJson, watchApiJson } from "../../pkg/kube/api-request.ts";
import { loadOneClusterSession } from "./fixtures/kube-session.ts";

let work: string;
let server: Server;
let port: number;
const asked: string[] = [];

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), "kdiag-api-request-"));
  server = createServer((request, response) => {
    asked.push(request.url ?? "");
    if (request.url?.includes("watch=true")) {
      // One event, then a proxy's page.
      response.write('{"type":"ADDED","object":{"metadata":{"name":"a"}}}\n<html>502 Bad Gateway</html>\n');
      return;
    }
    if (request.url?.startsWith("/api/v1/namespaces/default/pods/slow")) {
      response.writeHead(200, { "Content-Type": "application/json" });
      response.write('{"kind":'); // and nothing more
      return;
    }
    response.writeHead(200, { "Content-Type": "application/json" });
    response.end('{"kind":"Pod"}');
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
after(() => {
  server?.closeAllConnections();
  server?.close();
  if (work) rmSync(work, { recursive: true, force: true });
});

function session(requestTimeout?: string) {
  return loadOneClusterSession(work, "kubeconfig", {
    cluster: `{server: "http://127.0.0.1:${port}", insecure-skip-tls-verify: true}`,
    user: "{token: t}",
    requestTimeout,
  });
}

test("a watch that turns into something else than events ends as a failure, after the events before it", async () => {
  const events: string[] = [];
  await assert.rejects(
    watchApiJson(session(), "/api/v1/namespaces/default/pods", {}, (type) => events.push(type), new AbortController().signal),
    { message: "the watch of /api/v1/namespaces/default/pods sent something that is not JSON" },
  );
  assert.deepEqual(events, ["ADDED"]);
});

test("a name that would leave its path (`..`) is refused before any request", async () => {
  const before = asked.length;
  await assert.rejects(getApiJson(session(), "/api/v1/namespaces/default/pods/.."), { name: "KdiagError", message: "`..` is not a name the Kubernetes API takes" });
  await assert.rejects(getApiJson(session(), "/api/v1/namespaces/../pods/x"), { message: "`..` is not a name the Kubernetes API takes" });
  assert.equal(asked.length, before);
});

test("--request-timeout that cuts a response short is a timeout, not a lost connection", async () => {
  await assert.rejects(getApiJson(session("300ms"), "/api/v1/namespaces/default/pods/slow"), { name: "TimeoutError" });
});
