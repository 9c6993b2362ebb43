import assert from "node:assert/strict";
import { test } from "node:test";
import { findMissingCapabilities, parseEffectiveCapabilities } from "../../manager/capabilities.ts";
import { describeMissingCapabilities } from "../../pkg/manager-capabilities.ts";

const where = { container: "kdiag-1a2b3c4d", podName: "web-0" };

test("the manager reads its effective set from /proc/self/status", () => {
  const status = "Name:\tnode\nCapInh:\t0000000000000000\nCapPrm:\t000001ffffffffff\nCapEff:\t000001ffffffffff\nCapBnd:\t000001ffffffffff\n";
  assert.equal(parseEffectiveCapabilities(status), 0x1ffffffffffn);
  assert.deepEqual(findMissingCapabilities(0x1ffffffffffn), []);
});

test("a container without capabilities (a non-root user) lacks everything redirects and the shell need", () => {
  assert.deepEqual(findMissingCapabilities(0n), [
    { feature: "redirects", capabilities: ["CAP_NET_ADMIN"] },
    { feature: "shell", capabilities: ["CAP_SYS_ADMIN", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SETUID", "CAP_SETGID", "CAP_SETPCAP"] },
  ]);
  // Docker's default set: no NET_ADMIN, SYS_ADMIN or SYS_PTRACE.
  assert.deepEqual(findMissingCapabilities(0xa80425fbn), [
    { feature: "redirects", capabilities: ["CAP_NET_ADMIN"] },
    { feature: "shell", capabilities: ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"] },
  ]);
});

test("redir on a manager without CAP_NET_ADMIN is refused in one line naming it and what to do", () => {
  const missing = [{ feature: "redirects", capabilities: ["CAP_NET_ADMIN"] }];
  assert.equal(
    describeMissingCapabilities(missing, "redirects", where),
    "kdiag's container `kdiag-1a2b3c4d` in pod `web-0` lacks CAP_NET_ADMIN, which redir needs for its nftables rules; " +
      "an admission policy or the container runtime removed it from the privileged container — ask a cluster admin to allow privileged ephemeral containers here, or debug in a namespace that does",
  );
  // The shell needs none of that.
  assert.equal(describeMissingCapabilities(missing, "shell", where), undefined);
});

test("the shell on a manager without CAP_SYS_ADMIN is refused before enter runs", () => {
  const missing = [{ feature: "shell", capabilities: ["CAP_SYS_ADMIN", "CAP_SYS_PTRACE"] }];
  assert.match(describeMissingCapabilities(missing, "shell", where) ?? "", /^kdiag's container `kdiag-1a2b3c4d` in pod `web-0` lacks CAP_SYS_ADMIN, CAP_SYS_PTRACE, which shell needs to enter the target container; /);
  // A manager from before this field answers none: nothing to refuse.
  assert.equal(describeMissingCapabilities([], "shell", where), undefined);
});
