import assert from "node:assert/strict";
import { test } from "node:test";
import { findInit, listOwnPids, tieToManager } from "../../manager/init-process.ts";

test("started by kdiag-init, the manager runs nft through it so the kernel kills nft when the manager dies", () => {
  const init = findInit({ KDIAG_INIT: "/opt/kdiag/kdiag-init" });
  assert.equal(init, "/opt/kdiag/kdiag-init");
  assert.deepEqual(tieToManager({ init, command: ["nft"], manager: 42 }), ["/opt/kdiag/kdiag-init", "--pdeathsig", "42", "--", "nft"]);
});

test("started without kdiag-init (a developer's node), the manager runs nft as it is", () => {
  assert.equal(findInit({}), undefined);
  // Only an absolute path is taken: a relative one would depend on the working directory.
  assert.equal(findInit({ KDIAG_INIT: "kdiag-init" }), undefined);
  assert.deepEqual(tieToManager({ init: undefined, command: ["ip", "netns", "exec", "x", "nft"] }), ["ip", "netns", "exec", "x", "nft"]);
});

test("Ps leaves out kdiag-init (the manager's parent) when it is there, and always the manager", () => {
  assert.deepEqual(listOwnPids({ init: "/opt/kdiag/kdiag-init", pid: 12, ppid: 7 }), [7, 12]);
  assert.deepEqual(listOwnPids({ init: undefined, pid: 12, ppid: 7 }), [12]);
});
