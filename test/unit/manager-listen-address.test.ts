import assert from "node:assert/strict";
import { test } from "node:test";
import { formatListenAddress, parseListenAddress } from "../../manager/listen-address.ts";

test("--listen takes HOST:PORT for IPv4 and bracketed IPv6", () => {
  assert.deepEqual(parseListenAddress("127.0.0.1:0"), { host: "127.0.0.1", port: 0 });
  assert.deepEqual(parseListenAddress("[::1]:9000"), { host: "::1", port: 9000 });
  assert.equal(formatListenAddress({ host: "::1", port: 9000 }), "[::1]:9000");
  assert.equal(formatListenAddress({ host: "127.0.0.1", port: 41000 }), "127.0.0.1:41000");
});

test("a --listen value that is not HOST:PORT is refused with an example", () => {
  for (const value of ["8080", ":8080", "localhost:http", "127.0.0.1:70000"]) {
    assert.throws(() => parseListenAddress(value), {
      message: `--listen \`${value}\` is not HOST:PORT (for example 127.0.0.1:0)`,
    });
  }
});
