// A TCP connection to a pod's port as a Node Duplex, over client-node's PortForward (one
// WebSocket per connection, v4.channel.k8s.io: channel 0 data, channel 1 errors). The redir
// tunnels and the gRPC connection to the manager are both built on this.

import { Duplex, Readable, Writable } from "node:stream";
import { PortForward, type KubeConfig } from "@kubernetes/client-node";
import type WebSocket from "isomorphic-ws";
import { KdiagError } from "../errors.ts";
import { translateUpgradeError } from "./upgrade-errors.ts";

export interface ForwardTarget {
  kc: KubeConfig;
  namespace: string;
  pod: string;
  port: number;
}

/** Opens one forwarded connection; rejects with a KdiagError when it cannot be opened. */
export async function forwardPort(target: ForwardTarget): Promise<Duplex> {
  const stream = new ForwardedConnection(target);
  const fromPod = new Writable({ write: (chunk: Buffer, _encoding, done) => done(stream.receive(chunk)) });
  const errorsFromPod = new Writable({ write: (chunk: Buffer, _encoding, done) => done(stream.fail(chunk.toString("utf8"))) });
  // We write channel 0 ourselves (to get the send callback for backpressure), so the input
  // stream client-node wants is one that never produces anything.
  const idle = new Readable({ read() {} });
  // The kubelet's "cannot connect to that port" can come in the very frames that open the
  // WebSocket, before our caller could listen for it: held here and thrown instead.
  let early: Error | undefined;
  const holdEarly = (error: Error) => (early ??= error);
  stream.on("error", holdEarly);
  try {
    const socket = await new PortForward(target.kc, true).portForward(
      target.namespace,
      target.pod,
      [target.port],
      fromPod,
      errorsFromPod,
      idle,
    );
    if (typeof socket === "function") throw new Error("unexpected restartable port-forward");
    stream.attach(socket);
  } catch (error) {
    throw translateUpgradeError(error, { resource: "pods/portforward", namespace: target.namespace, pod: target.pod });
  }
  await new Promise((resolve) => setImmediate(resolve));
  stream.off("error", holdEarly);
  if (early) throw early;
  return stream;
}

class ForwardedConnection extends Duplex {
  private socket: WebSocket | undefined;
  private readonly target: ForwardTarget;

  constructor(target: ForwardTarget) {
    super({ allowHalfOpen: false });
    this.target = target;
  }

  attach(socket: WebSocket): void {
    this.socket = socket;
    socket.on("close", () => this.push(null));
    socket.on("error", (error: Error) => this.destroy(error));
  }

  /** Data the pod sent; pauses the WebSocket while our reader is behind. */
  receive(chunk: Buffer): undefined {
    if (!this.push(chunk)) this.socket?.pause();
    return undefined;
  }

  /** Text on the error channel: the kubelet could not connect to the port, for instance. */
  fail(text: string): undefined {
    const message = text.trim().replace(/\s+/g, " ");
    if (message) {
      this.destroy(new KdiagError(`port-forward to pod \`${this.target.pod}\` port ${this.target.port} failed: ${message}`));
    }
    return undefined;
  }

  override _read(): void {
    this.socket?.resume();
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    const socket = this.socket;
    if (!socket || socket.readyState !== socket.OPEN) {
      done(new KdiagError(`port-forward to pod \`${this.target.pod}\` port ${this.target.port} is closed`));
      return;
    }
    // Channel 0 carries the data; the callback fires when it is handed to the TCP socket.
    socket.send(Buffer.concat([Buffer.of(0), chunk]), (error?: Error) => done(error ?? null));
  }

  override _final(done: (error?: Error | null) => void): void {
    // v4.channel.k8s.io cannot half-close a stream: ending our side ends the connection.
    this.socket?.close();
    done();
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.socket?.close();
    done(error);
  }
}

