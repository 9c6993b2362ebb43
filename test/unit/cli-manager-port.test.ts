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

test("a manager that exits before announcing its port is reported at once with its exit and last log line, not at the deadline", async () => {
  const { discoverManagerPort } = await import("../../pkg/kube/manager-port.ts");
  const exited = {
    status: { ephemeralContainerStatuses: [{ name: "kdiag-1", state: { terminated: { exitCode: 1 } } }] },
  };
  // The log and the pod as the API server gives them: the narrow slice discoverManagerPort reads.
  const api = {
    readLog: async () => "kdiag-manager: EACCES: permission denied, mkdir '/run/kdiag'\n",
    getPod: async () => exited,
  } as unknown as Parameters<typeof discoverManagerPort>[0]["api"];
  const started = Date.now();
  await assert.rejects(discoverManagerPort({ api, podName: "web", container: "kdiag-1", timeoutMs: 60_000, pollMs: 10 }), {
    name: "KdiagError",
    message: "kdiag's manager in `kdiag-1` exited with code 1 before announcing its port; its log ends: kdiag-manager: EACCES: permission denied, mkdir '/run/kdiag'",
  });
  assert.ok(Date.now() - started < 5_000);
});
