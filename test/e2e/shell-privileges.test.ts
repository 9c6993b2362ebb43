// Safe to inject into production: on the project's cluster, a program the pod planted on its own
// PATH runs from `kubectl kdiag shell` with the container's privileges, not kdiag's (unless
// --privileged-programs), and `kubectl kdiag ps` shows a hostile command line escaped.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { busyboxPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;

// The container's root plants a program where a user of the shell would run it: a script (its
// interpreter is the container's own busybox) printing its uid and effective capabilities.
const plant =
  "mkdir -p /usr/local/bin && " +
  `printf '#!/bin/sh\\ngrep -E "^(Uid|CapEff):" /proc/self/status\\n' >/usr/local/bin/planted && ` +
  "chmod 755 /usr/local/bin/planted && trap 'exit 0' TERM; while :; do sleep 1; done";
const osc52 = "\x1b]52;c;ZXZpbA==\x07";

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-shell-privileges");
  const hostile = busyboxPod({ name: "hostile", labels: { role: "hostile" } }) as {
    spec: { containers: Array<{ command: string[] }> };
  };
  // sh stays the parent of sleep (`; :`), so its own command line keeps the two hostile arguments.
  hostile.spec.containers[0]!.command = ["sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done; :", osc52, "\r1    0     forged"];
  await apply(ns.name, [busyboxPod({ name: "planter", labels: { role: "planter" }, command: plant }), hostile]);
  await waitForPods(ns.name, "role=planter");
  await waitForPods(ns.name, "role=hostile");
});
after(async () => ns?.cleanup());

const capEff = (text: string) => BigInt(`0x${/^CapEff:\s*([0-9a-f]+)$/m.exec(text)?.[1] ?? "x"}`);

test("a program the pod planted on its PATH runs as the container's root with no capability", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "planter", "--", "-c", "planted"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(result.stdout, "Uid:\t0\t0\t0\t0\nCapEff:\t0000000000000000");
  assert.equal(result.stderr, "kdiag: profile netadmin (auto: every command, fully)", "the first shell adds kdiag's container, and says which profile");
});

test("applets keep kdiag's capabilities, beyond the container's own", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "planter", "--", "-c", "grep CapEff /proc/self/status /proc/1/status"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const [ours, target] = String(result.stdout).split("\n").map((line) => capEff(line.replace(/^[^:]*:/, "")));
  assert.ok(ours !== undefined && target !== undefined, String(result.stdout));
  assert.ok((ours & target) === target && ours !== target, `applet ${ours.toString(16)} ⊋ container ${target.toString(16)}`);
});

test("with --privileged-programs the planted program gets kdiag's capabilities, and kdiag says so", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "planter", "--privileged-programs", "--", "-c", "planted; grep CapEff /proc/1/status"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const [uid, planted, target] = String(result.stdout).split("\n");
  assert.equal(uid, "Uid:\t0\t0\t0\t0");
  const [plantedCaps, targetCaps] = [capEff(planted ?? ""), capEff(target ?? "")];
  assert.ok((plantedCaps & targetCaps) === targetCaps && plantedCaps !== targetCaps, `${plantedCaps.toString(16)} ⊋ ${targetCaps.toString(16)}`);
  assert.equal(
    result.stderr,
    // execa strips the final newline.
    "kdiag: warning: --privileged-programs: the container's own programs run as root with every capability of kdiag's container",
  );
});

test("ps shows a command line's escape sequences and carriage return escaped, not sent to the terminal", async () => {
  const result = await kdiag(["ps", "-n", ns.name, "--pod", "hostile"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const stdout = String(result.stdout);
  assert.ok(!/[\x00-\x08\x0b-\x1f\x7f]/.test(stdout), `no control character but newlines: ${JSON.stringify(stdout)}`);
  const row = stdout.split("\n").find((line) => /^1 +0 +sh /.test(line));
  assert.ok(row?.endsWith("sh -c trap 'exit 0' TERM; while :; do sleep 1; done; : \\e]52;c;ZXZpbA==\\a \\r1    0     forged"), stdout);
});
