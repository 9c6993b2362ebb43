// Wires `kdiag redir` to the real world: the manager over a port-forward, tunnels as fresh
// port-forwards, local targets on 127.0.0.1, output on stdout and warnings on stderr.
import net from "node:net";
import { Metadata } from "@grpc/grpc-js";
import type { Duplex } from "node:stream";
import type { ManagerClient } from "../../api/gen/kdiag.ts";
import { onInterrupt } from "../interrupts.ts";
import { connectManager, openKube } from "../manager-connection.ts";
import { createProgress } from "../output/progress.ts";
import type { RedirConfig } from "./config.ts";
import { runRedir, type RedirManager } from "./run.ts";

const CALL_TIMEOUT_MS = 30_000;

export async function runRedirCommand(config: RedirConfig): Promise<number> {
  const progress = createProgress({ quiet: config.pod.quiet });
  const kube = openKube(config.pod);
  const connection = await connectManager(config.pod, kube, progress);
  try {
    return await runRedir(config, {
      podName: connection.podName,
      manager: adaptManager(connection.client),
      openTunnel: connection.forward,
      dialLocal,
      print: (line) => process.stdout.write(`${line}\n`),
      warn: (message) => progress.warn(message),
      onInterrupt,
    });
  } finally {
    await connection.close();
  }
}

function deadline(): Date {
  return new Date(Date.now() + CALL_TIMEOUT_MS);
}

function adaptManager(client: ManagerClient): RedirManager {
  return {
    redirect: (request) => client.redirect(request),
    listProcesses: () =>
      new Promise((resolve, reject) =>
        client.ps({}, new Metadata(), { deadline: deadline() }, (error, response) => (error ? reject(error) : resolve(response.processes))),
      ),
    ping: () =>
      new Promise((resolve, reject) => client.version({}, new Metadata(), { deadline: deadline() }, (error) => (error ? reject(error) : resolve()))),
  };
}

/** A connection to the local target; rejects with the socket error (ECONNREFUSED, …). */
function dialLocal(port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: "127.0.0.1", port, noDelay: true });
    socket.once("connect", () => {
      socket.off("error", reject);
      resolve(socket);
    });
    socket.once("error", reject);
  });
}
