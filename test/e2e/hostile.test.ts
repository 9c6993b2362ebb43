// kdiag on a pod that has a hostile container in it (uid 65534, no capabilities, the pod's network
// namespace): a poller dials every new listener on the pod's loopback and any address, and grpcurl
// is at hand. The user's kdiag works; the hostile container can neither drive the manager, nor
// read or inject redirected bytes; a flood of redirects is bounded; half-closed connections
// arrive whole.
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { once } from "node:events";
import net from "node:net";
import { after, before, test } from "node:test";
import { status, type ClientReadableStream, type ServiceError } from "@grpc/grpc-js";
import type { RedirectResponse } from "../../api/gen/kdiag.ts";
import { KubeConfig } from "@kubernetes/client-node";
import { parseCredential } from "../../pkg/kube/manager-credential.ts";
import { connectManagerTls } from "../../pkg/kube/manager-tls.ts";
import { forwardPort } from "../../pkg/kube/port-forward.ts";
import { openManagerClient, type ManagerClientChannel } from "../../pkg/manager-client.ts";
import { hostilePod, serverPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubeconfigPath, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, kdiag, startRedirInBackground, type BackgroundRedir } from "./kdiag-cli.ts";
import { findManagerContainer, findManagerPort, grpcurlFromHostile, readHostileEvents } from "./hostile.ts";

let ns: TestNamespace;
let targetIp: string;
let otherIp: string;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-hostile");
  await apply(ns.name, [hostilePod({ name: "hostile" }), serverPod({ name: "elsewhere" })]);
  await waitForPods(ns.name, "app=hostile-target");
  await waitForPods(ns.name, "app=server");
  targetIp = await podIP(ns.name, "hostile");
  otherIp = await podIP(ns.name, "elsewhere");
});
after(async () => ns?.cleanup());

/** Every sample of bytes the hostile container received so far, joined. */
async function hostileReceived(): Promise<string> {
  const events = await readHostileEvents(ns.name, "hostile");
  return events.filter((event) => event.event === "received").map((event) => event.sample ?? "").join("\n");
}

interface Recorder {
  port: number;
  /** Each connection's bytes, in the order they were accepted. */
  received: Buffer[];
  close(): Promise<void>;
}

/**
 * The user's server on this machine: answers a line with `ACK:<line>` and ends; with `echo`,
 * sends back every byte and ends when the peer has (half-)closed.
 */
async function startLocalServer(mode: "ack" | "echo"): Promise<Recorder> {
  const received: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    const index = received.push(Buffer.alloc(0)) - 1;
    socket.on("data", (chunk: Buffer) => {
      received[index] = Buffer.concat([received[index]!, chunk]);
      if (mode === "echo") return void socket.write(chunk);
      const text = received[index]!.toString("latin1");
      if (text.includes("\n")) socket.end(`ACK:${text.slice(0, text.indexOf("\n"))}\n`);
    });
    socket.on("end", () => socket.end());
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** `kubectl kdiag redir ARGS` on the hostile pod, in the background. */
function startRedir(args: string[]): Promise<BackgroundRedir> {
  return startRedirInBackground(["-n", ns.name, "--pod", "hostile", ...args]);
}

/** One connection from this machine to the pod: sends `data`, half-closes, returns all it got. */
function exchange(host: string, port: number, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = net.connect({ host, port, allowHalfOpen: true }, () => socket.end(data));
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("end", () => (socket.end(), resolve(Buffer.concat(chunks))));
    socket.on("error", reject);
    socket.setTimeout(60_000, () => socket.destroy(new Error("no answer within 60 s")));
  });
}

test("the hostile container cannot call the manager: every RPC is refused and Ps never reaches it", async () => {
  const mine = await kdiag(["ps", "-n", ns.name, "--pod", "hostile"]);
  assert.equal(mine.exitCode, 0, String(mine.stderr));
  assert.match(String(mine.stdout), /\/server 8080/);
  const port = await findManagerPort(ns.name, "hostile");
  const address = `127.0.0.1:${port}`;
  const attempts = [
    ["-plaintext", address, "list"],
    ["-plaintext", address, "kdiag.v1.Manager/Ps"],
    ["-insecure", address, "list"],
    ["-insecure", address, "kdiag.v1.Manager/Ps"],
    ["-insecure", "-H", `authorization: Bearer ${"0".repeat(64)}`, address, "kdiag.v1.Manager/Ps"],
    ["-insecure", "-H", `authorization: Bearer ${"0".repeat(64)}`, address, "kdiag.v1.Manager/Version"],
  ];
  for (const args of attempts) {
    const result = await grpcurlFromHostile(ns.name, "hostile", ["-connect-timeout", "3", ...args]);
    assert.notEqual(result.exitCode, 0, `grpcurl ${args.join(" ")} succeeded:\n${result.stdout}`);
    assert.doesNotMatch(result.stdout, /server|processes|kdiag\.v1/, args.join(" "));
    // No connection at all: plaintext against TLS, or TLS without the client certificate.
    assert.match(result.stderr, /Failed to dial target host/, args.join(" "));
  }
  assert.doesNotMatch(await hostileReceived(), /server 8080|processes/);
});

test("while I redirect the pod's port, 50 requests arrive on my machine byte for byte; the hostile container sees none and injects nothing", async () => {
  const local = await startLocalServer("ack");
  const redir = await startRedir([`8080:${local.port}`]);
  try {
    const marks = Array.from({ length: 50 }, (_, i) => `MARK-${i}-${randomBytes(8).toString("hex")}`);
    for (const mark of marks) {
      const answer = await exchange(targetIp, 8080, Buffer.from(`${mark}\n`));
      assert.equal(answer.toString(), `ACK:${mark}\n`);
    }
    assert.deepEqual(
      local.received.map((bytes) => bytes.toString()),
      marks.map((mark) => `${mark}\n`),
      "my server got exactly the 50 requests, and nothing of the hostile container's",
    );
    assert.doesNotMatch(await hostileReceived(), /MARK-|ACK:/);
  } finally {
    await redir.stop();
    await local.close();
  }
});

test("with --outgoing, the pod's 50 requests arrive on my machine byte for byte and the hostile container reads none of them", async () => {
  const local = await startLocalServer("ack");
  const redir = await startRedir(["--outgoing", `9999:${local.port}`]);
  try {
    const script = `for i in $(seq 1 50); do echo "OUT-$i-$RANDOM" | nc -w 5 ${otherIp} 9999; done`;
    const requests = await kubectl(["-n", ns.name, "exec", "hostile", "-c", "hostile", "--", "sh", "-c", script], { timeoutMs: 120_000 });
    const answers = requests.stdout.split("\n").filter((line) => line.startsWith("ACK:"));
    assert.equal(answers.length, 50, requests.stdout);
    const requested = local.received.map((bytes) => bytes.toString()).filter((text) => text.startsWith("OUT-"));
    assert.deepEqual(requested, answers.map((answer) => `${answer.slice("ACK:".length)}\n`));
    // The poller may dial the outgoing listener itself, which is no more than connecting to
    // the redirected port: its bytes arrive as connections of their own, never inside ours.
    for (const bytes of local.received) assert.ok(!/OUT-/.test(bytes.toString()) || /^OUT-\d+-\d+\n$/.test(bytes.toString()), bytes.toString());
    assert.doesNotMatch(await hostileReceived(), /OUT-|ACK:OUT/);
  } finally {
    await redir.stop();
    await local.close();
  }
});

/** The manager's resident memory, read in its container. */
async function readManagerRss(container: string): Promise<number> {
  const script = 'for p in /proc/[0-9]*; do grep -q manager.js $p/cmdline 2>/dev/null && grep VmRSS $p/status; done';
  const { stdout } = await kubectl(["-n", ns.name, "exec", "hostile", "-c", container, "--", "/bin/busybox", "sh", "-c", script]);
  const kib = Number(/VmRSS:\s+(\d+) kB/.exec(stdout)?.[1]);
  assert.ok(kib > 0, stdout);
  return kib * 1024;
}

/**
 * A second client of the manager the user's redir talks to, holding the user's credential (read
 * with exec, as the CLI does): the CLI's own channel, over a port-forward of its own.
 */
async function connectAsUser(): Promise<ManagerClientChannel> {
  const container = await findManagerContainer(ns.name, "hostile");
  const port = await findManagerPort(ns.name, "hostile");
  const read = await kubectl(["-n", ns.name, "exec", "hostile", "-c", container!, "--", "/bin/busybox", "cat", "/run/kdiag/credential.json"]);
  const credential = parseCredential(read.stdout);
  assert.ok(credential, read.stdout);
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return openManagerClient({
    connect: () =>
      connectManagerTls({ forward: () => forwardPort({ kc, namespace: ns.name, pod: "hostile", port }), credential, pod: "hostile" }),
    token: credential.token,
  });
}

test("a flood of 1,000 redirects with the credential is bounded: the excess is refused, my redirect goes on, memory stays low, and redir works afterwards", async () => {
  const local = await startLocalServer("ack");
  const redir = await startRedir([`8080:${local.port}`]);
  let flooder: ManagerClientChannel | undefined;
  const streams: Array<ClientReadableStream<RedirectResponse>> = [];
  try {
    flooder = await connectAsUser();
    const outcomes = await Promise.all(
      Array.from({ length: 1000 }, (_, i) => {
        const stream = flooder!.client.redirect({ port: 20_000 + i, outgoing: false });
        streams.push(stream);
        return new Promise<"installed" | number>((resolve) => {
          stream.once("metadata", () => resolve("installed"));
          stream.once("error", (error: ServiceError) => resolve(error.code));
        });
      }),
    );
    const refused = outcomes.filter((outcome) => outcome === status.RESOURCE_EXHAUSTED).length;
    const installed = outcomes.filter((outcome) => outcome === "installed").length;
    assert.equal(installed + refused, 1000, JSON.stringify(outcomes.filter((o) => o !== "installed" && o !== status.RESOURCE_EXHAUSTED)));
    // 64 at most, mine included.
    assert.equal(installed, 63);
    assert.equal((await exchange(targetIp, 8080, Buffer.from("still mine\n"))).toString(), "ACK:still mine\n");
    const rss = await readManagerRss((await findManagerContainer(ns.name, "hostile"))!);
    assert.ok(rss < 100 * 1024 * 1024, `manager RSS ${(rss / 1048576).toFixed(1)} MiB`);
  } finally {
    for (const stream of streams) stream.cancel();
    await flooder?.close();
    await redir.stop();
  }
  const again = await startRedir([`8080:${local.port}`]);
  try {
    assert.equal((await exchange(targetIp, 8080, Buffer.from("after the flood\n"))).toString(), "ACK:after the flood\n");
  } finally {
    await again.stop();
    await local.close();
  }
});

test("200 connections at once, each sending 1 MiB and then half-closing, get their whole echo back through redir", async () => {
  const local = await startLocalServer("echo");
  const redir = await startRedir([`8080:${local.port}`]);
  try {
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const sent = randomBytes(1 << 20);
        const got = await exchange(targetIp, 8080, sent);
        return { sent: digest(sent), got: digest(got), length: got.length };
      }),
    );
    const short = results.filter((result) => result.got !== result.sent);
    assert.deepEqual(short.map((result) => result.length), [], `${short.length} of 200 echoes differ`);
    assert.equal(errorLines(redir.output()).length, 0, redir.output());
  } finally {
    await redir.stop();
    await local.close();
  }
});

function digest(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
