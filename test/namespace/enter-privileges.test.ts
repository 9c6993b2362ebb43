// The shell lends its privileges to busybox, never to the target's programs: a program planted in
// the container's filesystem runs as the container's user with no capability (its setuid bit and
// file capabilities ignored), while the applets keep the capabilities of kdiag's container —
// unless --privileged-programs asks otherwise.
import assert from "node:assert/strict";
import { chmod, chown, copyFile, mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { startContainer, type Container } from "./fixtures/container.ts";
import { buildEnterBinaries, type EnterBinaries } from "./fixtures/enter-binaries.ts";
import { runCommand } from "./fixtures/run-command.ts";
import { createPod, type Pod } from "./fixtures/pod.ts";

const run = promisify(execFile);
const noCapabilities = "0000000000000000";

describe("programs of the target run with the target's privileges, applets with the shell's", () => {
  let pod: Pod;
  let rootContainer: Container;
  let userContainer: Container;
  let binaries: EnterBinaries;
  // Ours, as root of this machine: what the shell (and today every program it ran) has.
  let ours: { capEff: string; capBnd: string };

  before(async () => {
    const status = await readFile("/proc/self/status", "utf8");
    const field = (name: string) => new RegExp(`^${name}:\\s*(\\S+)$`, "m").exec(status)![1]!;
    ours = { capEff: field("CapEff"), capBnd: field("CapBnd") };
    assert.notEqual(ours.capEff, noCapabilities, "these tests run as root with capabilities");
    binaries = await buildEnterBinaries();
    pod = await createPod({ name: "privs" });
    rootContainer = await startContainer({ podNs: pod.podNs, name: "privs-root", port: 8081 });
    userContainer = await startContainer({ podNs: pod.podNs, name: "privs-user", port: 8082, user: { uid: 1000, gid: 1000 } });
    // What the container's root could do to its own filesystem: a program on PATH, another one
    // setuid root, another one with every file capability.
    for (const container of [rootContainer, userContainer]) {
      const bin = join(container.rootDir, "usr/local/bin");
      await mkdir(bin, { recursive: true });
      for (const name of ["planted", "planted-setuid", "planted-fcaps"]) await copyFile(binaries.showPrivileges, join(bin, name));
      await chown(join(bin, "planted-setuid"), 0, 0);
      await chmod(join(bin, "planted-setuid"), 0o4755);
      await run("setcap", ["=eip", join(bin, "planted-fcaps")]);
    }
  });
  after(async () => {
    await rootContainer?.stop();
    await userContainer?.stop();
    await pod?.cleanup();
    binaries?.cleanup();
  });

  // As kubectl exec into the ephemeral container runs it: in the pod's network and the target's pid namespace.
  const shell = (container: Container, ...args: string[]) =>
    runCommand([
      "nsenter", `--net=/run/netns/${pod.podNs}`, `--pid=/proc/${container.hostPid}/ns/pid`, "--",
      "unshare", "--mount", "--mount-proc", "--", binaries.enter, ...args,
    ]);
  const privileges = (options: { id: number; capInh: string; capPrm: string; capEff: string; noNewPrivs: 0 | 1 }) =>
    `Uid:\t${options.id}\t${options.id}\t${options.id}\t${options.id}\n` +
    `Gid:\t${options.id}\t${options.id}\t${options.id}\t${options.id}\n` +
    `CapInh:\t${options.capInh}\n` +
    `CapPrm:\t${options.capPrm}\n` +
    `CapEff:\t${options.capEff}\n` +
    `CapBnd:\t${ours.capBnd}\n` +
    `CapAmb:\t${noCapabilities}\n` +
    `NoNewPrivs:\t${options.noNewPrivs}\n`;
  // The shell's inheritable set is what it may hand to busybox (whose file capabilities are =ei);
  // without file capabilities honoured, a planted program cannot use it.
  const planted = (id: number) => privileges({ id, capInh: ours.capEff, capPrm: noCapabilities, capEff: noCapabilities, noNewPrivs: 1 });
  const applet = (id: number) => privileges({ id, capInh: ours.capEff, capPrm: ours.capEff, capEff: ours.capEff, noNewPrivs: 1 });

  it("runs a program planted by the container's root as root with no capability", async () => {
    assert.deepEqual(await shell(rootContainer, "1", binaries.ash, "-c", "planted"), { code: 0, stdout: planted(0), stderr: "" });
  });

  it("ignores the setuid bit and file capabilities the container gave its programs", async () => {
    const result = await shell(userContainer, "1", binaries.ash, "-c", "planted-setuid; planted-fcaps");
    assert.deepEqual(result, { code: 0, stdout: planted(1000) + planted(1000), stderr: "" });
    const asRoot = await shell(rootContainer, "1", binaries.ash, "-c", "planted-fcaps");
    assert.deepEqual(asRoot, { code: 0, stdout: planted(0), stderr: "" });
  });

  it("runs a planted program as the container's user when the container does not run as root", async () => {
    assert.deepEqual(await shell(userContainer, "1", binaries.ash, "-c", "planted"), { code: 0, stdout: planted(1000), stderr: "" });
  });

  it("keeps the shell's capabilities for applets run in-process and re-executed through /proc/self/exe", async () => {
    const show = "grep -E '^(Uid|Gid|Cap[A-Za-z]+|NoNewPrivs):' /proc/self/status";
    const inProcess = await shell(rootContainer, "1", binaries.ash, "-c", show);
    assert.deepEqual(inProcess, { code: 0, stdout: applet(0), stderr: "" });
    // env and timeout exec their command, which busybox resolves to itself (FEATURE_PREFER_APPLETS).
    const reExecuted = await shell(userContainer, "1", binaries.ash, "-c", `env ${show}; timeout 5 ${show}`);
    assert.deepEqual(reExecuted, { code: 0, stdout: applet(1000) + applet(1000), stderr: "" });
  });

  it("still sees the whole container: its files, processes and network", async () => {
    const result = await shell(userContainer, "1", binaries.ash, "-c", "cat /marker; cat /proc/1/cmdline; wget -qO- http://127.0.0.1:8082/");
    assert.deepEqual(result, { code: 0, stdout: `${userContainer.marker}\n/server\u00008082\u0000hello from privs-user\n`, stderr: "" });
  });

  it("with --privileged-programs runs planted programs with every capability of kdiag's container, as today", async () => {
    const result = await shell(userContainer, "--privileged-programs", "1", binaries.ash, "-c", "planted");
    assert.deepEqual(result, {
      code: 0,
      stdout: privileges({ id: 0, capInh: noCapabilities, capPrm: ours.capEff, capEff: ours.capEff, noNewPrivs: 0 }),
      stderr: "",
    });
  });

  it("refuses, in one line, a shell binary without the file capabilities it needs", async () => {
    const result = await shell(rootContainer, "1", binaries.ashWithoutCapabilities, "-c", "true");
    assert.deepEqual(result, {
      code: 126,
      stdout: "",
      stderr: `enter: program ${binaries.ashWithoutCapabilities} has no file capabilities: run setcap =ei on it (or pass --privileged-programs)\n`,
    });
  });
});
