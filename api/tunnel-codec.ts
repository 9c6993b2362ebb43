// The Tunnel call's frames, encoded and decoded by hand: they carry every redirected byte, and
// the generated ts-proto path copies a payload three times on the way out (writer chunk,
// finish(), Buffer.from). Here: one copy each way — on the way in too, because a view would keep
// grpc-js's whole receive chunk alive until the socket took the bytes (the manager's RSS after
// heavy traffic: 110 MiB with views, 80 MiB with the copy; bench/redirect.ts). Byte-identical
// to ts-proto's encoding (unit-tested); the rare first frames with an offer or a peer take the
// generated path.
import { makeGenericClientConstructor } from "@grpc/grpc-js";
import { ManagerClient, ManagerService, TunnelFrame } from "./gen/kdiag.ts";

const tags = { data: 0x12, fin: 0x18, reset: 0x20 } as const;

export function serializeTunnelFrame(frame: TunnelFrame): Buffer {
  if (frame.offer !== undefined || frame.peer !== "") return Buffer.from(TunnelFrame.encode(frame).finish());
  const length = frame.data.length;
  const size = (length > 0 ? 1 + varintLength(length) + length : 0) + (frame.fin ? 2 : 0) + (frame.reset ? 2 : 0);
  const out = Buffer.allocUnsafe(size);
  let offset = 0;
  if (length > 0) {
    out[offset++] = tags.data;
    offset = writeVarint(out, offset, length);
    out.set(frame.data, offset);
    offset += length;
  }
  if (frame.fin) (out[offset++] = tags.fin), (out[offset++] = 1);
  if (frame.reset) (out[offset++] = tags.reset), (out[offset++] = 1);
  return out;
}

export function deserializeTunnelFrame(bytes: Buffer): TunnelFrame {
  const frame: TunnelFrame = { offer: undefined, peer: "", data: Buffer.alloc(0), fin: false, reset: false };
  let offset = 0;
  while (offset < bytes.length) {
    const tag = bytes[offset++];
    if (tag === tags.data) {
      const [length, start] = readVarint(bytes, offset);
      if (start + length > bytes.length) throw new Error("a malformed tunnel frame");
      frame.data = Buffer.from(bytes.subarray(start, start + length));
      offset = start + length;
    } else if (tag === tags.fin || tag === tags.reset) {
      const [value, next] = readVarint(bytes, offset);
      frame[tag === tags.fin ? "fin" : "reset"] = value !== 0;
      offset = next;
    } else {
      return TunnelFrame.decode(bytes);
    }
  }
  return frame;
}

function varintLength(value: number): number {
  let length = 1;
  for (let rest = value; rest >= 0x80; rest >>>= 7) length++;
  return length;
}

function writeVarint(out: Buffer, start: number, value: number): number {
  let offset = start;
  let rest = value;
  while (rest >= 0x80) {
    out[offset++] = (rest & 0x7f) | 0x80;
    rest >>>= 7;
  }
  out[offset++] = rest;
  return offset;
}

function readVarint(bytes: Buffer, start: number): [number, number] {
  let value = 0;
  let shift = 0;
  let offset = start;
  for (;;) {
    const byte = bytes[offset++];
    // Lengths and flags fit in 32 bits: a fifth byte beyond 0x0f would overflow them.
    if (byte === undefined || shift > 28 || (shift === 28 && byte > 0x0f)) throw new Error("a malformed tunnel frame");
    value |= (byte & 0x7f) << shift;
    if (byte < 0x80) return [value >>> 0, offset];
    shift += 7;
  }
}

/** The Manager service with the Tunnel frames' codec: the server serves it, the client calls it. */
export const managerService = {
  ...ManagerService,
  tunnel: {
    ...ManagerService.tunnel,
    requestSerialize: serializeTunnelFrame,
    requestDeserialize: deserializeTunnelFrame,
    responseSerialize: serializeTunnelFrame,
    responseDeserialize: deserializeTunnelFrame,
  },
} as const;

export const FastManagerClient = makeGenericClientConstructor(managerService, "kdiag.v1.Manager") as unknown as typeof ManagerClient;
