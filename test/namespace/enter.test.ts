// The scratch shell: `enter 1 ash …` run from the manager's side (the pod's network namespace
// and the target container's pid namespace, with that namespace's /proc, as an ephemeral
// container is) reaches into a container that has no shell and writes nothing there.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { spawn as spawnPty } from "node-pty";
import { startContainer, type Container } from "./fixtures/container.ts";
import { buildEnterBinaries, type EnterBinaries } from "./fixtures/enter-binaries.ts";
import { runCommand } from "./fixtures/run-command.ts";
import { createPod, type Pod } from "./fixtures/pod.ts";

describe("a shell in a container that has none", () => {
  let pod: Pod;
  let container: Container;
  let binaries: EnterBinaries;

  before(async () => {
    binaries = await buildEnterBinaries();
    pod = await createPod({ name: "enter" });
    container = await startContainer({ podNs: pod.podNs, name: "enter-web", port: 8080 });
  });
  after(async () => {
    await container?.stop();
    await pod?.cleanup();
    binaries?.cleanup();
  });

  // Like `kubectl exec` into the ephemeral container: argv goes to enter unchanged.
  const enter = (...args: string[]) =>
    runCommand([
      "nsenter", `--net=/run/netns/${pod.podNs}`, `--pid=/proc/${container.hostPid}/ns/pid`, "--",
      "unshare", "--mount", "--mount-proc", "--", binaries.enter, ...args,
    ]);

  it("shows the container's marker, its root and its own server as PID 1", async () => {
    const result = await enter("1", binaries.ash, "-c", "cat /marker; ls /; cat /proc/1/cmdline");
    assert.deepEqual(result, {
      code: 0,
      stdout: `${container.marker}\nmarker\nproc\nserver\n/server\u00008080\u0000`,
      stderr: "",
    });
  });

  it("is in the container's network and uts namespaces: its own server answers on localhost", async () => {
    const result = await enter(binaries.ash, "-c", "hostname; wget -qO- http://127.0.0.1:8080/");
    assert.deepEqual(result, { code: 0, stdout: "enter-web\nhello from enter-web\n", stderr: "" });
  });

  it("gives the shell a working environment of its own", async () => {
    const result = await enter("1", binaries.ash, "-c", 'echo "$PATH $HOME $PWD"');
    assert.equal(result.stdout, "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin /root /\n");
  });

  it("exits with the shell's exit code", async () => {
    assert.deepEqual(await enter("1", binaries.ash, "-c", "exit 7"), { code: 7, stdout: "", stderr: "" });
  });

  it("exits with 128+N when the shell is killed by signal N", async () => {
    assert.deepEqual(await enter("1", binaries.ash, "-c", "kill -TERM $$"), { code: 143, stdout: "", stderr: "" });
  });

  it("says in one line that a PID does not exist", async () => {
    assert.deepEqual(await enter("99999", binaries.ash, "-c", "true"), {
      code: 125,
      stdout: "",
      stderr: "enter: no process with PID 99999\n",
    });
  });

  it("says in one line that the program does not exist", async () => {
    assert.deepEqual(await enter("1", "/nonexistent/ash", "-c", "true"), {
      code: 127,
      stdout: "",
      stderr: "enter: program /nonexistent/ash not found\n",
    });
  });

  it("shows usage when no program is given", async () => {
    assert.deepEqual(await enter(), {
      code: 125,
      stdout: "",
      stderr: "enter: usage: enter [--privileged-programs | --chroot | --own-root] [PID | container:ID] PROGRAM [ARGS...]\n",
    });
  });

  it("says in one line that a container ID names no process here, or is not an ID", async () => {
    assert.deepEqual(await enter(`container:${"ab".repeat(32)}`, binaries.ash, "-c", "true"), {
      code: 125,
      stdout: "",
      stderr: "enter: container abababababab has no process here: it is not running, or not in this pod's pid namespace\n",
    });
    assert.equal((await enter("container:../etc", binaries.ash)).stderr, "enter: container ID ../etc is not a container ID (hex, as the pod's status gives it)\n");
  });

  it("names the capability it lacks", async () => {
    const result = await runCommand(["setpriv", "--bounding-set=-sys_admin", "--", binaries.enter, String(container.hostPid), binaries.ash, "-c", "true"]);
    assert.deepEqual(result, { code: 125, stdout: "", stderr: "enter: setns needs CAP_SYS_ADMIN (and CAP_SYS_CHROOT for chroot)\n" });
  });

  it("on a terminal, is an interactive shell where ^C stops a command, not the shell", async () => {
    const terminal = spawnPty("nsenter", [
      `--net=/run/netns/${pod.podNs}`, `--pid=/proc/${container.hostPid}/ns/pid`, "--",
      "unshare", "--mount", "--mount-proc", "--", binaries.enter, "1", binaries.ash,
    ], { name: "xterm", cols: 80, rows: 24, env: { TERM: "xterm" } });
    let screen = "";
    terminal.onData((data) => (screen += data));
    const exited = new Promise<number>((resolve) => terminal.onExit(({ exitCode }) => resolve(exitCode)));
    const prompt = "kdiag enter-web:/# ";
    const waitForScreen = async (text: string, count: number) => {
      const deadline = Date.now() + 10_000;
      while (screen.split(text).length - 1 < count) {
        if (Date.now() > deadline) throw new Error(`no ${JSON.stringify(text)} on the terminal: ${JSON.stringify(screen)}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    await waitForScreen(prompt, 1);
    terminal.write("cat /marker\r");
    await waitForScreen(prompt, 2);
    terminal.write("sleep 30\r");
    await waitForScreen("sleep 30\r\n", 1);
    // ash echoes the line before it gives the terminal back (ISIG on) to the command's process
    // group: ^C is only a signal once `sleep` is the terminal's foreground.
    await waitForForegroundSleep(terminal.pid);
    terminal.write("\x03");
    await waitForScreen(prompt, 3);
    terminal.write("echo status $?\r");
    await waitForScreen(prompt, 4);
    terminal.write("exit 3\r");
    assert.equal(await exited, 3);
    assert.ok(screen.includes(`cat /marker\r\n${container.marker}\r\n`), screen);
    assert.ok(screen.includes("sleep 30\r\n^C\r\n"), screen);
    assert.ok(screen.includes("echo status $?\r\nstatus 130\r\n"), screen);
  });

  /** Until a `sleep` in the terminal's session leads the terminal's foreground process group. */
  async function waitForForegroundSleep(sessionLeader: number): Promise<void> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      for (const entry of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
        const stat = readStat(Number(entry));
        // Fields after "(comm)": state ppid pgrp session tty_nr tpgid.
        if (stat?.comm === "sleep" && stat.fields[3] === String(sessionLeader) && stat.fields[2] === stat.fields[5]) return;
      }
      if (Date.now() > deadline) throw new Error("no sleep in the terminal's foreground within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  function readStat(pid: number): { comm: string; fields: string[] } | undefined {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = text.lastIndexOf(")");
      return { comm: text.slice(text.indexOf("(") + 1, close), fields: text.slice(close + 2).split(" ") };
    } catch {
      return undefined;
    }
  }

  it("writes nothing into the container", async () => {
    await enter("1", binaries.ash, "-c", "ls / >/dev/null");
    assert.deepEqual(readdirSync(container.rootDir).sort(), ["marker", "proc", "server"]);
  });
});
