// The benchmark's hands inside the namespaces (bench/redirect.ts starts it with nsenter):
//   client  — in the pod: the CLI's part of a redirect (its authenticated TLS channel, the Redirect
//             stream, a Tunnel call per connection bridged to a sink); prints the sink port.
//   relay   — in the pod: nothing but the sink, for the socat baseline to forward to.
//   send    — in the peer: one connection, --bytes through it; prints seconds.
//   connect — in the peer: --count connections one after another; prints setup latencies (ms).
//   hold    — in the peer: --count connections kept open until stdin closes.
// Every result is one JSON line on stdout.
import { readFileSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { parseArgs } from "node:util";
import { offerTunnels } from "../pkg/commands/redir/connections.ts";
import { parseCredential } from "../pkg/kube/manager-credential.ts";
import { connectManagerTls } from "../pkg/kube/manager-tls.ts";
import { openManagerClient } from "../pkg/manager-client.ts";

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    host: { type: "string", default: "127.0.0.1" },
    port: { type: "string", default: "8080" },
    "manager-port": { type: "string" },
    "credential-file": { type: "string" },
    bytes: { type: "string", default: String(1 << 30) },
    count: { type: "string", default: "1" },
  },
});
const port = Number(values.port);
const print = (result: object): void => void process.stdout.write(JSON.stringify(result) + "\n");

// The sink answers "!" to a connection's first bytes (the latency probe) and "done" to its end.
async function startSink(): Promise<number> {
  const server = createServer({ allowHalfOpen: true }, (socket) => {
    let first = true;
    socket.on("data", () => {
      if (first) socket.write("!");
      first = false;
    });
    socket.on("end", () => socket.end("done"));
    socket.on("error", () => socket.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as { port: number }).port;
}

async function runClient(): Promise<void> {
  const sinkPort = await startSink();
  const credential = parseCredential(readFileSync(values["credential-file"] ?? "", "utf8"));
  if (!credential) throw new Error("no credential");
  const managerPort = Number(values["manager-port"]);
  const { client } = await openManagerClient({
    connect: () =>
      connectManagerTls({
        forward: () => new Promise((resolve) => { const socket = connect({ host: "127.0.0.1", port: managerPort, noDelay: true }, () => resolve(socket)); }),
        credential,
        pod: "bench",
      }),
    token: credential.token,
  });
  const request = { port, outgoing: false };
  const stream = client.redirect(request);
  stream.on("data", () => {});
  stream.on("error", (error) => (print({ error: error.message }), process.exit(1)));
  stream.once("metadata", () => {
    // The CLI's own offers, each connection bridged to the sink as redir bridges to a local server.
    offerTunnels({ podPort: port, localPort: sinkPort }, request, {
      podName: "bench",
      openTunnel: () => client.tunnel(),
      dialLocal: (local) =>
        new Promise((resolve, reject) => {
          const socket = connect({ host: "127.0.0.1", port: local, allowHalfOpen: true, noDelay: true }, () => resolve(socket));
          socket.once("error", reject);
        }),
      report: () => {},
      warn: () => {},
    });
    print({ installed: true, sinkPort });
  });
}

async function runRelay(): Promise<void> {
  print({ sinkPort: await startSink() });
}

function open(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: values.host, port, allowHalfOpen: true, noDelay: true }, () => resolve(socket));
    socket.once("error", reject);
  });
}

function waitFor(socket: Socket, text: string): Promise<void> {
  let seen = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer): void => {
      seen += chunk.toString("latin1");
      if (seen.includes(text)) (socket.off("data", onData), resolve());
    };
    socket.on("data", onData);
    socket.once("error", reject);
  });
}

async function runSend(): Promise<void> {
  const total = Number(values.bytes);
  const chunk = Buffer.alloc(1 << 20, 0x6b);
  const socket = await open();
  const done = waitFor(socket, "done");
  const started = process.hrtime.bigint();
  for (let sent = 0; sent < total; sent += chunk.length) {
    if (!socket.write(chunk)) await new Promise((resolve) => socket.once("drain", resolve));
  }
  socket.end();
  await done;
  print({ seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes: total });
  socket.destroy();
}

async function runConnect(): Promise<void> {
  const latencies: number[] = [];
  for (let i = 0; i < Number(values.count); i++) {
    const started = process.hrtime.bigint();
    const socket = await open();
    const answered = waitFor(socket, "!");
    socket.write("?");
    await answered;
    latencies.push(Number(process.hrtime.bigint() - started) / 1e6);
    socket.destroy();
  }
  print({ latencies });
}

async function runHold(): Promise<void> {
  const sockets: Socket[] = [];
  for (let i = 0; i < Number(values.count); i++) {
    const socket = await open();
    const answered = waitFor(socket, "!");
    socket.write("?");
    await answered;
    sockets.push(socket);
  }
  print({ open: sockets.length });
  process.stdin.resume().on("end", () => sockets.forEach((socket) => socket.destroy()));
}

const modes = { client: runClient, relay: runRelay, send: runSend, connect: runConnect, hold: runHold } as const;
const mode = positionals[0];
if (!mode || !(mode in modes)) throw new Error(`usage: redirect-agent.ts ${Object.keys(modes).join("|")} [options]`);
await modes[mode as keyof typeof modes]();
