import assert from "node:assert/strict";
import net from "node:net";
import { after, test } from "node:test";
import { KdiagError } from "../../pkg/errors.ts";
import { listenAndForward } from "../../pkg/kube/local-forward.ts";

// A real local server stands in for the pod's port; the "forward" is a plain TCP connection to
// it, so the listener and the bridging are exercised for real.
const echo = net.createServer((socket) => socket.pipe(socket));
await new Promise<void>((resolve) => echo.listen(0, "127.0.0.1", resolve));
const echoPort = (echo.address() as net.AddressInfo).port;
after(() => echo.close());

function connectToEcho(): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(echoPort, "127.0.0.1", () => resolve(socket));
    socket.once("error", reject);
  });
}

function roundTrip(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(text));
    let received = "";
    socket.on("data", (chunk) => (received += chunk));
    socket.on("close", () => resolve(received));
    socket.on("error", reject);
  });
}

test("each local connection gets its own remote stream, bytes flow both ways", async () => {
  let opened = 0;
  const forward = await listenAndForward({ connect: () => (opened++, connectToEcho()) });
  try {
    assert.equal(forward.host, "127.0.0.1");
    const [a, b] = await Promise.all([roundTrip(forward.port, "hello"), roundTrip(forward.port, "x".repeat(200_000))]);
    assert.equal(a, "hello");
    assert.equal(b.length, 200_000);
    assert.equal(opened, 2);
  } finally {
    await forward.close();
  }
});

test("a remote that cannot be opened closes that connection and is reported; the listener goes on", async () => {
  const errors: unknown[] = [];
  let fail = true;
  const forward = await listenAndForward({
    connect: () => (fail ? Promise.reject(new KdiagError("port-forward refused")) : connectToEcho()),
    onConnectionError: (error) => errors.push(error),
  });
  try {
    assert.equal(await roundTrip(forward.port, "lost"), "");
    assert.equal((errors[0] as Error).message, "port-forward refused");
    fail = false;
    assert.equal(await roundTrip(forward.port, "again"), "again");
  } finally {
    await forward.close();
  }
});

test("a local port already in use is one sentence", async () => {
  const first = await listenAndForward({ connect: connectToEcho });
  try {
    await assert.rejects(
      listenAndForward({ connect: connectToEcho, port: first.port }),
      (error: unknown) =>
        error instanceof KdiagError && error.message === `local port ${first.port} on 127.0.0.1 is already in use; choose another port`,
    );
  } finally {
    await first.close();
  }
});
