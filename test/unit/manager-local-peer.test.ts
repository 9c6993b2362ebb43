import assert from "node:assert/strict";
import type { NetworkInterfaceInfo } from "node:os";
import { test } from "node:test";
import { isOwnAddress } from "../../manager/local-peer.ts";

const pod = {
  lo: [{ address: "127.0.0.1" }, { address: "::1" }],
  eth0: [{ address: "10.88.0.7" }, { address: "fd00::7" }],
} as unknown as NodeJS.Dict<NetworkInterfaceInfo[]>;

test("a connection to the incoming redirect listener from the pod's own addresses did not come through the rule", () => {
  for (const address of ["127.0.0.1", "127.0.0.53", "::1", "::ffff:127.0.0.1", "10.88.0.7", "::ffff:10.88.0.7", "fd00::7", undefined]) {
    assert.equal(isOwnAddress(address, pod), true, String(address));
  }
});

test("a connection from another pod or node is a redirected one", () => {
  for (const address of ["10.88.0.1", "::ffff:10.88.0.9", "fd00::1"]) assert.equal(isOwnAddress(address, pod), false, address);
});
