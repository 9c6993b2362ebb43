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

test("while the container starts, the kubelet's 404 (it has not seen the new spec yet) is waited out, and the look ends when the wait it shortens fails", async () => {
  const { discoverManagerPort } = await import("../../pkg/kube/manager-port.ts");
  const notYet = Object.assign(new Error('container "kdiag-1" not found in pod "web"'), { code: 404 });
  let looks = 0;
  const starting = {
    readLog: async () => {
      looks++;
      if (looks < 3) throw notYet;
      return "Listening on 127.0.0.1:40123\n";
    },
    getPod: async () => ({ status: {} }),
  } as unknown as Parameters<typeof discoverManagerPort>[0]["api"];
  const watching = new AbortController();
  assert.equal(await discoverManagerPort({ api: starting, podName: "web", container: "kdiag-1", timeoutMs: 10_000, pollMs: 1, whileStarting: { signal: watching.signal } }), 40123);
  // Not while starting: a 404 is a pod that is gone, at once.
  looks = 0;
  await assert.rejects(discoverManagerPort({ api: starting, podName: "web", container: "kdiag-1", timeoutMs: 10_000, pollMs: 1 }), /not found/);

  const never = { readLog: async () => Promise.reject(notYet), getPod: async () => ({ status: {} }) } as unknown as typeof starting;
  const look = discoverManagerPort({ api: never, podName: "web", container: "kdiag-1", timeoutMs: 60_000, pollMs: 1, whileStarting: { signal: watching.signal } });
  watching.abort();
  await assert.rejects(look, { name: "AbortError" });
});
