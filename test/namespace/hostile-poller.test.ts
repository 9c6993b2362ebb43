// The hostile container's poller (test/images/hostile), which the cluster's security tests rely
// on to find what an unprivileged neighbour can reach: run as uid 65534 in a pod's network
// namespace, it connects to every new loopback or any-address listener, injects its marker, and
// logs what it read; listeners on the pod's own address are not its business.
import assert from "node:assert/strict";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { createPod, type Pod } from "./fixtures/pod.ts";

const run = promisify(execFile);
const source = fileURLToPath(new URL("../images/hostile/", import.meta.url));

interface Event {
  event: string;
  port?: number;
  uid?: number;
  sample?: string;
}

describe("the hostile container's poller", () => {
  let pod: Pod;
  let dir: string;
  const children: ChildProcess[] = [];
  let output = "";
  const events = (): Event[] => output.split("\n").filter(Boolean).map((line) => JSON.parse(line) as Event);
  const inPod = (argv: string[]): ChildProcess => {
    const child = spawn("ip", ["netns", "exec", pod.podNs, ...argv], { stdio: ["ignore", "pipe", "inherit"] });
    children.push(child);
    return child;
  };
  const waitFor = async (what: string, check: (all: Event[]) => boolean): Promise<void> => {
    for (const deadline = Date.now() + 10_000; !check(events()); ) {
      assert.ok(Date.now() < deadline, `the poller never logged ${what}; it logged:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "kdiag-hostile-"));
    await run("go", ["build", "-trimpath", "-o", join(dir, "hostile"), "."], { cwd: source, env: { ...process.env, CGO_ENABLED: "0" } });
    pod = await createPod({ name: "hostile" });
    const poller = inPod(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", join(dir, "hostile")]);
    poller.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
    await waitFor("its start", (all) => all.some((e) => e.event === "start"));
  });
  after(async () => {
    for (const child of children) child.kill();
    await pod?.cleanup();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("runs as the uid it was given and parses the kernel's socket tables", async () => {
    assert.equal(events()[0]?.uid, 65534);
    await run("go", ["test", "."], { cwd: source });
  });

  it("reads what a loopback listener hands its first peer", async () => {
    inPod(["socat", "TCP-LISTEN:7101,bind=127.0.0.1,reuseaddr,fork", "SYSTEM:echo first-peer-secret; cat >/dev/null"]);
    await waitFor("the bytes of port 7101", (all) =>
      all.some((e) => e.event === "received" && e.port === 7101 && e.sample === "first-peer-secret\\x0a"));
  });

  it("injects its marker into an any-address listener and ignores one on the pod's own address", async () => {
    const recorded = join(dir, "7102.bin");
    inPod(["socat", "-u", "TCP-LISTEN:7102,reuseaddr,fork", `OPEN:${recorded},creat,append`]);
    inPod(["socat", "-u", `TCP-LISTEN:7103,bind=${pod.podIp4},reuseaddr,fork`, "OPEN:/dev/null"]);
    await waitFor("sending to port 7102", (all) => all.some((e) => e.event === "sent" && e.port === 7102));
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.match(await readFile(recorded, "utf8"), /HOSTILE-INJECT 7102\n/);
    assert.deepEqual(events().filter((e) => e.port === 7103), []);
  });
});
