import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { test } from "node:test";
import { TunnelFrame } from "../../api/gen/kdiag.ts";
import { makeFrame } from "../../api/tunnel-bridge.ts";
import { deserializeTunnelFrame, serializeTunnelFrame } from "../../api/tunnel-codec.ts";

const frames: TunnelFrame[] = [
  makeFrame({}),
  makeFrame({ data: randomBytes(1) }),
  makeFrame({ data: randomBytes(127) }),
  makeFrame({ data: randomBytes(128) }),
  makeFrame({ data: randomBytes(65_536) }),
  makeFrame({ data: randomBytes(1 << 20), fin: true }),
  makeFrame({ fin: true }),
  makeFrame({ reset: true }),
  makeFrame({ offer: { port: 8080, outgoing: true } }),
  makeFrame({ peer: "10.88.0.7:51234", data: Buffer.from("first bytes") }),
];

test("tunnel frames encode byte for byte as the generated protobuf code encodes them", () => {
  for (const frame of frames) {
    assert.deepEqual(serializeTunnelFrame(frame), Buffer.from(TunnelFrame.encode(frame).finish()));
  }
});

test("tunnel frames decode to what the generated protobuf code decodes", () => {
  for (const frame of frames) {
    const bytes = Buffer.from(TunnelFrame.encode(frame).finish());
    const decoded = deserializeTunnelFrame(bytes);
    assert.deepEqual({ ...decoded, data: Buffer.from(decoded.data) }, { ...TunnelFrame.decode(bytes), data: Buffer.from(frame.data) });
  }
});

test("a truncated frame is an error, not a frame", () => {
  const bytes = serializeTunnelFrame(makeFrame({ data: randomBytes(300) }));
  assert.throws(() => deserializeTunnelFrame(bytes.subarray(0, 1)), /malformed/);
  assert.throws(() => deserializeTunnelFrame(bytes.subarray(0, 100)), /malformed/);
});
