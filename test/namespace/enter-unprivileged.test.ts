// The shell of the baseline and restricted profiles, on real namespaces: enter run as kdiag's own
// uid with SETUID, SETGID and SYS_CHROOT only in its bounding set (baseline: `--chroot`, the
// capabilities from enter's own file capability), as root with a runtime's defaults for a root
// target, or with no capability and no_new_privs (restricted: `--own-root`).
import assert from "node:assert/strict";
import { chmod, copyFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { startContainer, type Container } from "./fixtures/container.ts";
import { buildEnterBinaries, type EnterBinaries } from "./fixtures/enter-binaries.ts";
import { runCommand } from "./fixtures/run-command.ts";
import { createPod, type Pod } from "./fixtures/pod.ts";

const run = promisify(execFile);
/** CAP_CHOWN (0) and CAP_NET_BIND_SERVICE (10). */
const chownAndBind = "401";

/** The inode of the pod's TCP listener on `port`, from the socket table as the host sees it. */
async function readListenerInode(hostPid: number, port: number): Promise<string> {
  const { readFile } = await import("node:fs/promises");
  const portHex = `:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const table of ["tcp", "tcp6"]) {
    for (const line of (await readFile(`/proc/${hostPid}/net/${table}`, "utf8")).split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields[1]?.endsWith(portHex) && fields[3] === "0A") return fields[9] ?? "";
    }
  }
  throw new Error(`no listener on port ${port}`);
}

describe("enter without privileges: --chroot as the target's user, --own-root with no capability", () => {
  let pod: Pod;
  let target: Container;
  /** Root with no capability at all (`drop: [ALL]`), and root keeping CHOWN and NET_BIND_SERVICE. */
  let rootWithout: Container;
  let rootWithSome: Container;
  let binaries: EnterBinaries;
  /** enter as the image carries it: `setcap cap_setuid,cap_setgid,cap_sys_chroot=p`. */
  let enter: string;

  before(async () => {
    binaries = await buildEnterBinaries();
    // The binaries' temp dir is 0700: a non-root caller must reach them.
    await chmod(dirname(binaries.ash), 0o755);
    enter = join(dirname(binaries.ash), "enter-chroot");
    await copyFile(binaries.enter, enter);
    await run("setcap", ["cap_setuid,cap_setgid,cap_sys_chroot=p", enter]);
    pod = await createPod({ name: "unpriv" });
    target = await startContainer({ podNs: pod.podNs, name: "unpriv-user", port: 8083, user: { uid: 1000, gid: 1000 } });
    rootWithout = await startContainer({ podNs: pod.podNs, name: "unpriv-root-none", port: 8084, capabilities: "0" });
    rootWithSome = await startContainer({ podNs: pod.podNs, name: "unpriv-root-some", port: 8085, capabilities: chownAndBind });
    // A program each root target planted, as /tmp/bin/ls might be.
    for (const planted of [rootWithout, rootWithSome]) await copyFile(binaries.showPrivileges, join(planted.rootDir, "planted"));
  });
  after(async () => {
    await rootWithout?.stop();
    await rootWithSome?.stop();
    await target?.stop();
    await pod?.cleanup();
    binaries?.cleanup();
  });

  // As kubectl exec runs it in kdiag's container: the pod's network, the target's pid namespace,
  // and the container's user and bounding set (baseline: SETUID, SETGID and SYS_CHROOT; restricted:
  // none, and no_new_privs from allowPrivilegeEscalation: false).
  const asContainer = (user: { uid: number; gid: number }, bounding: string, ...args: string[]) =>
    asContainerOf(target, user, bounding, ...args);
  const asContainerOf = (of: Container, user: { uid: number; gid: number } | "root", bounding: string, ...args: string[]) =>
    runCommand([
      "nsenter", `--net=/run/netns/${pod.podNs}`, `--pid=/proc/${of.hostPid}/ns/pid`, "--",
      "unshare", "--mount", "--mount-proc", "--",
      "setpriv", ...(user === "root" ? [] : [`--reuid=${user.uid}`, `--regid=${user.gid}`, "--clear-groups"]), "--inh-caps=-all",
      `--bounding-set=-all${bounding}`, ...(bounding === "" ? ["--no-new-privs"] : []),
      "--", enter, ...args,
    ]);
  const sameUser = { uid: 1000, gid: 1000 };
  const kdiagUser = { uid: 2000012345, gid: 2000012345 };
  const baseline = ",+setuid,+setgid,+sys_chroot";
  const restricted = "";
  /** A runtime's default capabilities plus SYS_CHROOT: baseline's root container. */
  const runtimeDefaults = ",+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+sys_chroot,+mknod,+audit_write,+setfcap";
  const none = "0000000000000000";

  it("--chroot from kdiag's own uid becomes the target's user and enters its root: its marker, its PID 1, its server, and no capability left", async () => {
    const result = await asContainer(kdiagUser, baseline, "--chroot", "1", binaries.ash, "-c",
      "cat /marker; cat /proc/1/cmdline; echo; wget -qO- http://127.0.0.1:8083/; echo; id -u; id -g; grep -E '^(CapEff|CapPrm|NoNewPrivs):' /proc/self/status");
    assert.deepEqual(result, {
      code: 0,
      stdout: `${target.marker}\n/server\u00008083\u0000\nhello from unpriv-user\n\n1000\n1000\nCapPrm:\t${none}\nCapEff:\t${none}\nNoNewPrivs:\t1\n`,
      stderr: "",
    });
  });

  it("--chroot run as the target's own user (an older baseline container) still enters its root", async () => {
    const result = await asContainer(sameUser, ",+sys_chroot", "--chroot", "1", binaries.ash, "-c", "cat /marker; id -u; grep CapEff /proc/self/status");
    assert.deepEqual(result, { code: 0, stdout: `${target.marker}\n1000\nCapEff:\t${none}\n`, stderr: "" });
  });

  it("--chroot for a root target that dropped every capability: the shell and what the target planted have none, not the runtime's defaults", async () => {
    const result = await asContainerOf(rootWithout, "root", runtimeDefaults, "--chroot", "1", binaries.ash, "-c",
      "cat /marker; /planted; grep -E '^Cap(Prm|Eff|Bnd):' /proc/$$/status; chroot /proc/1/root /planted 2>/dev/null || echo no chroot");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, [
      rootWithout.marker,
      "Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0",
      `CapInh:\t${none}`, `CapPrm:\t${none}`, `CapEff:\t${none}`, `CapBnd:\t${none}`, `CapAmb:\t${none}`, "NoNewPrivs:\t1",
      `CapPrm:\t${none}`, `CapEff:\t${none}`, `CapBnd:\t${none}`,
      "no chroot", "",
    ].join("\n"));
  });

  it("--chroot for a root target that kept some capabilities: at most those", async () => {
    const result = await asContainerOf(rootWithSome, "root", runtimeDefaults, "--chroot", "1", binaries.ash, "-c", "/planted; grep -E '^Cap(Prm|Eff|Bnd):' /proc/$$/status");
    assert.equal(result.code, 0, result.stderr);
    const kept = chownAndBind.padStart(16, "0");
    assert.equal(result.stdout, [
      "Uid:\t0\t0\t0\t0", "Gid:\t0\t0\t0\t0",
      `CapInh:\t${none}`, `CapPrm:\t${kept}`, `CapEff:\t${kept}`, `CapBnd:\t${kept}`, `CapAmb:\t${none}`, "NoNewPrivs:\t1",
      `CapPrm:\t${kept}`, `CapEff:\t${kept}`, `CapBnd:\t${kept}`, "",
    ].join("\n"));
  });

  it("--chroot as root (the pod spec did not name the target's user) becomes the user /proc says, and keeps no capability", async () => {
    // Root with a runtime's default capabilities plus SYS_CHROOT, as baseline admits.
    const result = await runCommand([
      "nsenter", `--net=/run/netns/${pod.podNs}`, `--pid=/proc/${target.hostPid}/ns/pid`, "--",
      "unshare", "--mount", "--mount-proc", "--",
      "setpriv", "--inh-caps=-all",
      "--bounding-set=-all,+chown,+dac_override,+fowner,+fsetid,+kill,+setgid,+setuid,+setpcap,+net_bind_service,+sys_chroot,+mknod,+audit_write,+setfcap",
      "--", enter, "--chroot", "1", binaries.ash, "-c", "cat /marker; id -u; id -g; grep -E '^(CapEff|NoNewPrivs):' /proc/self/status",
    ]);
    assert.deepEqual(result, { code: 0, stdout: `${target.marker}\n1000\n1000\nCapEff:\t0000000000000000\nNoNewPrivs:\t1\n`, stderr: "" });
  });

  it("--chroot as another user without SETUID and SETGID is one line naming both users and what it needs", async () => {
    const result = await asContainer({ uid: 1001, gid: 1001 }, ",+sys_chroot", "--chroot", "1", binaries.ash, "-c", "true");
    assert.deepEqual(result, {
      code: 125,
      stdout: "",
      stderr:
        "enter: PID 1 runs as uid 1000 gid 1000, kdiag's container (profile baseline) as uid 1001 gid 1001: becoming its user needs CAP_SETUID and CAP_SETGID (the container's capabilities SETUID and SETGID, and enter's file capability)\n",
    });
  });

  it("--socket-inodes from kdiag's own uid lists the target's sockets (its listener among them), not a root process's", async () => {
    const result = await asContainer(kdiagUser, baseline, "--socket-inodes", "1");
    assert.equal(result.code, 0, result.stderr);
    const listener = await readListenerInode(target.hostPid, target.port);
    assert.ok(result.stdout.split("\n").includes(listener), `${listener} among ${result.stdout}`);
    const root = await asContainerOf(rootWithout, kdiagUser, baseline, "--socket-inodes", "1");
    assert.deepEqual(root, { code: 125, stdout: "", stderr: "enter: PID 1 runs as root: its sockets are not readable without CAP_SYS_PTRACE\n" });
    const restrictedResult = await asContainer({ uid: 65534, gid: 65534 }, restricted, "--socket-inodes", "1");
    assert.equal(restrictedResult.code, 125, "no capability under restricted");
  });

  it("--own-root runs the shell in our own filesystem, in the target's root, and says so in two lines", async () => {
    const result = await asContainer(sameUser, restricted, "--own-root", "1", binaries.ash, "-c", 'cat marker; cat "$KDIAG_TARGET_ROOT/marker"; test -e /server || echo own-root');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${target.marker}\n${target.marker}\nown-root\n`);
    assert.deepEqual(result.stderr.split("\n"), [
      "kdiag: profile restricted: a shell in kdiag's own container (busybox, uid 1000), not in the target's root; the target's files are in /proc/1/root ($KDIAG_TARGET_ROOT, the current directory)",
      "kdiag: unavailable with no capabilities: the target's root as / and its programs as it runs them (--profile baseline), redir and rules (--profile netadmin)",
      "",
    ]);
  });

  it("--own-root as another user says the target's files are not readable, and still gives the shell", async () => {
    const result = await asContainer({ uid: 65534, gid: 65534 }, restricted, "--own-root", "1", binaries.ash, "-c", 'echo "[$KDIAG_TARGET_ROOT]"');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, "[]\n");
    assert.match(result.stderr, /^kdiag: profile restricted: .*the target's files \(\/proc\/1\/root\) are not readable: the target runs as uid 1000, kdiag as uid 65534\n/);
  });
});
