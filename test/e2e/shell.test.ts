// `kubectl kdiag shell` on the project's cluster: a shell in a scratch-image container, exit
// codes, a real terminal, manager reuse, and -t choosing another container's pid namespace.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pty from "node-pty";
import { scratchPod, twoContainerPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { getEphemeralContainers, kdiag, userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-shell");
  await apply(ns.name, [scratchPod(), twoContainerPod()]);
  await waitForPods(ns.name, "app=scratch");
  await waitForPods(ns.name, "app=two");
});
after(async () => ns?.cleanup());

test("a shell in a scratch pod sees that container's root and its server as PID 1", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "-l", "app=scratch", "--", "-c", "ls /; cat /proc/1/cmdline"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const lines = String(result.stdout).split("\n");
  assert.ok(lines.includes("server"), `ls / lists the image's only file: ${result.stdout}`);
  assert.ok(String(result.stdout).includes("/server\u00008080\u0000"), `PID 1 is the server: ${JSON.stringify(result.stdout)}`);
  // No progress on a non-terminal stderr: only the note of the profile auto chose for the new container.
  assert.equal(result.stderr, "kdiag: profile netadmin (auto: every command, fully)");
});

test("the CLI exits with the remote shell's exit code", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "-l", "app=scratch", "--", "-c", "exit 7"]);
  assert.equal(result.exitCode, 7, String(result.stderr));
});

test("stdin is forwarded and closed at EOF when it is not a terminal", async () => {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "scratch"], { input: "echo from-stdin\nexit 3\n", stdin: undefined });
  assert.equal(result.stdout, "from-stdin");
  assert.equal(result.exitCode, 3);
});

test("through a real terminal: a prompt, echo, resize to 50x132, exit 0", async () => {
  const term = pty.spawn("kubectl", ["kdiag", "shell", "-n", ns.name, "-l", "app=scratch"], {
    cols: 80,
    rows: 24,
    env: { ...process.env, ...userEnv, TERM: "xterm" },
  });
  let screen = "";
  term.onData((data) => (screen += data));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
  const waitFor = async (pattern: RegExp, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!pattern.test(screen)) {
      assert.ok(Date.now() < deadline, `no ${what} within 30s; the terminal shows: ${JSON.stringify(screen.slice(-400))}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    // The prompt may be followed by line-editing escapes (busybox asks for the cursor position).
    await waitFor(/# (\x1b\[[0-9;]*[A-Za-z]|\r)*$/, "prompt");
    screen = "";
    term.write("echo hi\r");
    await waitFor(/\nhi\r*\n/, "answer to echo hi");
    term.resize(132, 50);
    await new Promise((resolve) => setTimeout(resolve, 300));
    screen = "";
    term.write("stty size\r");
    await waitFor(/\n50 132\r*\n/, "stty size of 50 132");
    term.write("exit\r");
    assert.equal(await exited, 0);
  } finally {
    term.kill();
  }
});

test("a second shell reuses the running manager: one ephemeral container in the pod", async () => {
  const before = await getEphemeralContainers(ns.name, "scratch");
  assert.equal(before.length, 1, `the earlier tests added one: ${before}`);
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "scratch", "--", "-c", "true"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.deepEqual(await getEphemeralContainers(ns.name, "scratch"), before);
});

test("-t admin gives a shell whose PID 1 is the second container's process", async () => {
  const second = await kdiag(["shell", "-n", ns.name, "-l", "app=two", "-t", "admin", "--", "-c", "cat /proc/1/cmdline"]);
  assert.equal(second.exitCode, 0, String(second.stderr));
  assert.equal(second.stdout, "/server\u00009090\u0000");
  const first = await kdiag(["shell", "-n", ns.name, "-l", "app=two", "--", "-c", "cat /proc/1/cmdline"]);
  assert.equal(first.stdout, "/server\u00008080\u0000");
  assert.equal((await getEphemeralContainers(ns.name, "two")).length, 2, "one manager per target");
});

test("a manager that has terminated is replaced by a fresh container, never waited on", async () => {
  const [manager] = await getEphemeralContainers(ns.name, "scratch");
  assert.ok(manager, "the earlier tests added a manager");
  // Stop the manager the way a crash would: its process ends, so its container terminates.
  await kubectl(["-n", ns.name, "exec", "scratch", "-c", manager, "--", "/opt/kdiag/ash", "-c", "kill $(pidof node)"]);
  const deadline = Date.now() + 30_000;
  while (!(await isTerminated(manager))) {
    assert.ok(Date.now() < deadline, `${manager} did not terminate`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "scratch", "--", "-c", "cat /proc/1/cmdline"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  assert.equal(result.stdout, "/server\u00008080\u0000");
  assert.deepEqual((await getEphemeralContainers(ns.name, "scratch")).sort(), [manager, `${manager}-2`]);
});

async function isTerminated(container: string): Promise<boolean> {
  const { stdout } = await kubectl(["-n", ns.name, "get", "pod", "scratch", "-o", "json"]);
  const pod = JSON.parse(stdout) as { status: { ephemeralContainerStatuses?: Array<{ name: string; state: { terminated?: object } }> } };
  return Boolean(pod.status.ephemeralContainerStatuses?.find((status) => status.name === container)?.state.terminated);
}
