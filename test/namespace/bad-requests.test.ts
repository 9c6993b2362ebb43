import assert from "node:assert/strict";
import { status, type ServiceError } from "@grpc/grpc-js";
import { after, before, test } from "node:test";
import { startManagedPod, type ManagedPod } from "./fixtures/managed-pod.ts";
import type { Manager, Pod } from "./fixtures/pod.ts";
import { followRedirect, type ManagerConnection } from "./fixtures/redirect-client.ts";

let managed: ManagedPod;
let pod: Pod;
let manager: Manager;
let connection: ManagerConnection;

before(async () => {
  managed = await startManagedPod({ name: "bad" });
  ({ pod, manager, connection } = managed);
});

after(async () => {
  await managed?.stop();
});

const nowhere = { host: "127.0.0.1", port: 9 };

async function refuse(options: { port: number; outgoing?: boolean }): Promise<ServiceError | null> {
  const redirect = followRedirect({ connection, pod, ...options, target: nowhere });
  const ended = await redirect.ended;
  await assert.rejects(redirect.installed);
  return ended;
}

for (const port of [0, 70000]) {
  test(`asking to redirect port ${port} is refused as out of range and installs nothing`, async () => {
    const rulesBefore = await pod.exec(["nft", "list", "ruleset"]);
    const error = await refuse({ port });
    assert.equal(error?.code, status.INVALID_ARGUMENT);
    assert.equal(error?.details, `port ${port} is out of range (1-65535)`);
    assert.equal(await pod.exec(["nft", "list", "ruleset"]), rulesBefore);
  });
}

test("asking to redirect the manager's own gRPC port is refused by name and installs nothing", async () => {
  const rulesBefore = await pod.exec(["nft", "list", "ruleset"]);
  for (const outgoing of [false, true]) {
    const error = await refuse({ port: manager.port, outgoing });
    assert.equal(error?.code, status.INVALID_ARGUMENT);
    assert.equal(
      error?.details,
      `port ${manager.port} is the kdiag manager's own gRPC port; redirecting it would cut the manager off`,
    );
  }
  assert.equal(await pod.exec(["nft", "list", "ruleset"]), rulesBefore);
});

test("a redirect of a port whose last redirect has just been cancelled waits for that rule to go, then is installed", async () => {
  // What a user does who stops redir with Ctrl-C and starts it again at once.
  const first = followRedirect({ connection, pod, port: 8081, target: nowhere });
  await first.installed;
  first.cancel();
  const again = followRedirect({ connection, pod, port: 8081, target: nowhere });
  await again.installed;
  const rules = await pod.exec(["nft", "list", "ruleset"]);
  // One rule for the port, the new listener's: the old one is gone.
  assert.equal(rules.match(/tcp dport 8081 redirect to :\d+ comment "kdiag port 8081"/g)?.length, 1, rules);
  again.cancel();
  await Promise.all([first.ended, again.ended]);
});

test("a second redirect of a port already redirected is ALREADY_EXISTS and leaves the first one as it was", async () => {
  const first = followRedirect({ connection, pod, port: 8080, target: nowhere });
  await first.installed;
  const withFirst = await pod.exec(["nft", "list", "ruleset"]);
  assert.match(withFirst, /comment "kdiag port 8080"/);

  const error = await refuse({ port: 8080 });
  assert.equal(error?.code, status.ALREADY_EXISTS);
  assert.equal(error?.details, "incoming port 8080 is already redirected by this kdiag manager");
  assert.equal(await pod.exec(["nft", "list", "ruleset"]), withFirst);

  // The other direction of the same port is a different redirect.
  const outgoing = followRedirect({ connection, pod, port: 8080, outgoing: true, target: nowhere });
  await outgoing.installed;
  outgoing.cancel();
  first.cancel();
  await Promise.all([first.ended, outgoing.ended]);
});
