import assert from "node:assert/strict";
import { test } from "node:test";
import { status } from "@grpc/grpc-js";
import { checkRedirectRequest } from "../../manager/redirect-request.ts";

const context = { grpcPort: 41000, isRedirected: (target: { port: number }) => target.port === 8080 };

test("a redirect of a port in range is accepted with its direction", () => {
  assert.deepEqual(checkRedirectRequest({ port: 9090, outgoing: true }, context), {
    ok: true,
    target: { direction: "outgoing", port: 9090 },
  });
});

test("ports 0 and above 65535 are refused as out of range", () => {
  for (const port of [0, 70000]) {
    assert.deepEqual(checkRedirectRequest({ port, outgoing: false }, context), {
      ok: false,
      refusal: { code: status.INVALID_ARGUMENT, details: `port ${port} is out of range (1-65535)` },
    });
  }
});

test("the manager's own gRPC port is refused by name", () => {
  assert.deepEqual(checkRedirectRequest({ port: 41000, outgoing: false }, context), {
    ok: false,
    refusal: {
      code: status.INVALID_ARGUMENT,
      details: "port 41000 is the kdiag manager's own gRPC port; redirecting it would cut the manager off",
    },
  });
});

test("a port this manager already redirects is ALREADY_EXISTS", () => {
  assert.deepEqual(checkRedirectRequest({ port: 8080, outgoing: false }, context), {
    ok: false,
    refusal: { code: status.ALREADY_EXISTS, details: "incoming port 8080 is already redirected by this kdiag manager" },
  });
});
