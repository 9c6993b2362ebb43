// A command's first request (its pod) and the stream it opens next (exec, port-forward) ride one
// TLS connection to the API server: the handshake is a tenth of a shell. Only the same trust and
// the same client identity share it: a user whose client certificate changed (an exec plugin
// that rotated it) gets a connection of its own.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import { Exec } from "@kubernetes/client-node";
import { getApiJson } from "../../pkg/kube/api-request.ts";
import { loadOneClusterSession } from "./fixtures/kube-session.ts";

let work: string;
let server: Server;
let handshakes = 0;
let port: number;

before(async () => {
  work = mkdtempSync(path.join(tmpdir(), "kdiag-reuse-"));
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: work, stdio: "pipe" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl("req", "-x509", ...ec, "-keyout", "ca.key", "-subj", "/CN=cluster authority", "-days", "1", "-out", "ca.crt");
  writeFileSync(path.join(work, "san.ext"), "subjectAltName=IP:127.0.0.1\n");
  for (const [name, subject] of [["server", "/CN=apiserver"], ["alice", "/CN=alice"], ["alice-rotated", "/CN=alice"]] as const) {
    openssl("req", "-new", ...ec, "-keyout", `${name}.key`, "-subj", subject, "-out", `${name}.csr`);
    openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", `0x${Buffer.from(name).toString("hex")}`, "-days", "1", "-extfile", "san.ext", "-out", `${name}.crt`);
  }
  const read = (file: string) => readFileSync(path.join(work, file));
  server = createServer({ key: read("server.key"), cert: read("server.crt"), ca: read("ca.crt"), requestCert: true }, (_request, response) => {
    response.setHeader("Content-Type", "application/json");
    response.end('{"kind":"Pod"}');
  });
  server.on("secureConnection", () => handshakes++);
  // The exec's WebSocket upgrade, accepted (RFC 6455's answer to its key) and then closed.
  server.on("upgrade", (request, socket) => {
    const accept = createHash("sha1").update(`${request.headers["sec-websocket-key"]}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest("base64");
    const protocol = String(request.headers["sec-websocket-protocol"]).split(",")[0]?.trim();
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
after(() => {
  server?.close();
  server?.closeAllConnections();
  if (work) rmSync(work, { recursive: true, force: true });
});

function sessionOf(user: string) {
  return loadOneClusterSession(work, `kubeconfig-${user}`, {
    cluster: `{server: "https://127.0.0.1:${port}", certificate-authority: ${JSON.stringify(path.join(work, "ca.crt"))}}`,
    user: `{client-certificate: ${JSON.stringify(path.join(work, `${user}.crt`))}, client-key: ${JSON.stringify(path.join(work, `${user}.key`))}}`,
  });
}

test("the pod read and the stream after it share one TLS connection", async () => {
  const session = sessionOf("alice");
  const before = handshakes;
  await getApiJson(session, "/api/v1/namespaces/default/pods/a");
  await getApiJson(session, "/api/v1/namespaces/default/pods/b");
  const socket = await new Exec(session.kc).exec("default", "a", "c", ["true"], null, null, null, false);
  socket.close();
  assert.equal(handshakes - before, 1);
});

test("a client certificate that changed on disk gets a connection of its own", async () => {
  const use = (name: string) => {
    for (const ext of ["crt", "key"]) writeFileSync(path.join(work, `current.${ext}`), readFileSync(path.join(work, `${name}.${ext}`)));
  };
  use("alice");
  const session = sessionOf("current");
  const before = handshakes;
  await getApiJson(session, "/api/v1/namespaces/default/pods/a");
  use("alice-rotated");
  await getApiJson(session, "/api/v1/namespaces/default/pods/a");
  assert.equal(handshakes - before, 2);
});
