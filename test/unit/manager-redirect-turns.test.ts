// The manager's Redirect calls for one port, one after another: a call that finds the port's last
// redirect leaving waits for it, and a call cancelled while it waits installs nothing. The rules
// are a stand-in that records what is installed (the namespace tier runs the real nftables:
// test/namespace/bad-requests.test.ts); the calls are the shape grpc-js hands the manager.
import assert from "node:assert/strict";
import { EventEmitter } from "node:events";
import { test } from "node:test";
import { Redirects, type RedirectCall } from "../../manager/redirects.ts";
import type { RedirectRules } from "../../manager/redirect-rules.ts";

function recordingRules() {
  const installed = new Set<number>();
  const rules = {
    table: "kdiag_1_abcdef",
    install: async (rule: { port: number }) => void installed.add(rule.port),
    remove: async (target: { port: number }) => void installed.delete(target.port),
  } as unknown as RedirectRules;
  return { rules, installed };
}

interface FakeCall extends EventEmitter {
  cancelled: boolean;
  live: boolean;
  status?: { code: number; details: string };
  cancel(): void;
}

function redirectCall(port: number): FakeCall {
  const call = Object.assign(new EventEmitter(), {
    request: { port, outgoing: false },
    cancelled: false,
    writableEnded: false,
    live: false,
    sendMetadata: () => (call.live = true),
    end: () => {},
    cancel: () => {
      call.cancelled = true;
      call.emit("cancelled");
    },
  }) as unknown as FakeCall;
  call.on("error", (error: { code: number; details: string }) => (call.status = error));
  return call;
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 100));

test("calls for one port that are all cancelled while one waits its turn leave no rule behind, and the port free", async (t) => {
  const { rules, installed } = recordingRules();
  const redirects = new Redirects({ rules, grpcPort: () => 1, ipv6: false, log: () => {} });
  // Whatever is left (its listener open) ends with the test, pass or fail.
  t.after(() => redirects.endAll({ code: 14, details: "the test is over" }));
  const first = redirectCall(18080);
  const second = redirectCall(18080);
  redirects.handle(first as unknown as RedirectCall);
  redirects.handle(second as unknown as RedirectCall);
  // The client's connection drops: grpc-js cancels both streams.
  first.cancel();
  second.cancel();
  await settle();
  assert.deepEqual([...installed], []);
  assert.equal(second.live, false);

  const later = redirectCall(18080);
  redirects.handle(later as unknown as RedirectCall);
  await settle();
  assert.equal(later.live, true, `refused: ${later.status?.details}`);
  later.cancel();
  await settle();
  assert.deepEqual([...installed], []);
});
