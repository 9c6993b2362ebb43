import assert from "node:assert/strict";
import { test } from "node:test";
import { parseListeningPort } from "../../pkg/kube/manager-port.ts";

test("the port comes from the manager's first line", () => {
  assert.equal(parseListeningPort("Listening on 127.0.0.1:40123\n"), 40123);
  assert.equal(parseListeningPort("Listening on 127.0.0.1:40123\nredirect 80 installed\n"), 40123);
  assert.equal(parseListeningPort("Listening on 127.0.0.1:40123\r\n"), 40123);
});

test("nothing yet, another address, or a partial line give no port", () => {
  assert.equal(parseListeningPort(""), undefined);
  assert.equal(parseListeningPort("Listening on 127.0.0.1:"), undefined);
  assert.equal(parseListeningPort("Listening on 0.0.0.0:40123\n"), undefined);
  assert.equal(parseListeningPort("Listening on 127.0.0.1:99999\n"), undefined);
  assert.equal(parseListeningPort("Listening on 127.0.0.1:401234\n"), undefined);
});
