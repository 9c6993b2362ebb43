// A manager started without capabilities kdiag needs (as when an admission policy or the runtime
// strips them from its container) names what each feature lacks in Version; one with all of them
// names nothing.
import assert from "node:assert/strict";
import { after, test } from "node:test";
import type { VersionResponse } from "../../api/gen/kdiag.ts";
import { createPod, startManager, type Manager, type Pod } from "./fixtures/pod.ts";
import { connectManager, type ManagerConnection } from "./fixtures/redirect-client.ts";

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

async function versionOf(options: { name: string; wrapper?: string[] }): Promise<VersionResponse> {
  const pod: Pod = await createPod({ name: options.name });
  cleanups.push(() => pod.cleanup());
  const manager: Manager = await startManager({ pod, wrapper: options.wrapper });
  cleanups.push(async () => void (await manager.stop()));
  const connection: ManagerConnection = await connectManager({ pod, manager });
  cleanups.push(() => connection.close());
  return new Promise((resolve, reject) => connection.client.version({}, (error, value) => (error ? reject(error) : resolve(value))));
}

test("a manager without CAP_NET_ADMIN and CAP_SYS_PTRACE says redirects and the shell lack them", async () => {
  // Root whose bounding set lacks the two: what a container with them dropped gets.
  const version = await versionOf({ name: "caps-dropped", wrapper: ["setpriv", "--inh-caps=-all", "--bounding-set=-net_admin,-sys_ptrace", "--"] });
  assert.deepEqual(version.missingCapabilities, [
    { feature: "redirects", capabilities: ["CAP_NET_ADMIN"] },
    { feature: "shell", capabilities: ["CAP_SYS_PTRACE"] },
  ]);
});

test("a manager with every capability it needs names none missing", async () => {
  const version = await versionOf({ name: "caps-full" });
  assert.deepEqual(version.missingCapabilities, []);
});
