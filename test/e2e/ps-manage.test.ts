// `kubectl kdiag ps` and `manage --port-forward` on the project's cluster: the server's process
// and port, and grpcurl listing the manager's service through the forwarded port.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { scratchPod } from "../cluster/fixtures.ts";
import { getCredentialCacheDir } from "../../pkg/kube/cache-file.ts";
import { apply, createNamespace, ensureCluster, kubectl, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag, userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;
const grpcurl = path.join(execFileSync("go", ["env", "GOPATH"], { encoding: "utf8" }).trim(), "bin/grpcurl");

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-ps");
  await apply(ns.name, [scratchPod()]);
  await waitForPods(ns.name, "app=scratch");
});
after(async () => ns?.cleanup());

test("ps shows the server's process and the port it listens on", async () => {
  const result = await kdiag(["ps", "-n", ns.name, "-l", "app=scratch"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const [header, ...rows] = String(result.stdout).split("\n");
  assert.match(header ?? "", /^PID +PPID +NAME +LISTEN +COMMAND$/);
  const server = rows.find((row) => /^1 +0 +server /.test(row));
  assert.ok(server, `PID 1 is the server:\n${result.stdout}`);
  assert.match(server, /:8080\/tcp6? /);
  assert.match(server, /\/server 8080$/);
});

test("ps -o json gives the same as one JSON document", async () => {
  const result = await kdiag(["ps", "-n", ns.name, "--pod", "scratch", "-o", "json"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const { processes } = JSON.parse(String(result.stdout)) as { processes: Array<{ pid: number; listening: Array<{ port: number }> }> };
  const server = processes.find((process) => process.pid === 1);
  assert.ok(server?.listening.some((address) => address.port === 8080));
});

test("ps -o yaml and version -o yaml are YAML documents of the README's fields", async () => {
  const { load } = await import("js-yaml");
  const ps = await kdiag(["ps", "-n", ns.name, "--pod", "scratch", "-o", "yaml"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  const { processes } = load(String(ps.stdout)) as { processes: Array<{ pid: number; name: string; listening: Array<{ port: number }> }> };
  assert.ok(processes.find((process) => process.pid === 1)?.listening.some((address) => address.port === 8080), String(ps.stdout));
  const version = await kdiag(["version", "-o", "yaml"]);
  assert.equal(version.exitCode, 0, String(version.stderr));
  const document = load(String(version.stdout)) as Record<string, unknown>;
  assert.deepEqual(Object.keys(document), ["version", "managerImage"]);
  assert.match(String(document.version), /^\d+\.\d+\.\d+/);
  assert.match(String(document.managerImage), /manager:v/);
});

test("a later ps on the pod takes the manager's port from the cache; a stale one is read again from the manager's log", async () => {
  const pod = JSON.parse((await kubectl(["-n", ns.name, "get", "pod", "scratch", "-o", "json"])).stdout) as {
    metadata: { uid: string };
    status: { ephemeralContainerStatuses: Array<{ name: string; containerID: string }> };
  };
  const [manager] = pod.status.ephemeralContainerStatuses;
  assert.ok(manager, "the earlier tests added kdiag's manager");
  const logged = /^Listening on 127\.0\.0\.1:(\d+)/m.exec((await kubectl(["-n", ns.name, "logs", "scratch", "-c", manager.name])).stdout);
  const file = path.join(getCredentialCacheDir(), `${pod.metadata.uid}_${manager.name}.port.json`);
  const cached = () => JSON.parse(readFileSync(file, "utf8")) as { containerId: string; port: number };
  assert.deepEqual(cached(), { containerId: manager.containerID, port: Number(logged?.[1]) });

  const again = await kdiag(["ps", "-n", ns.name, "--pod", "scratch"], { env: { KDIAG_TIMINGS: "1" } });
  assert.equal(again.exitCode, 0, String(again.stderr));
  assert.match(String(again.stderr), /manager port read from the cache/);
  assert.doesNotMatch(String(again.stderr), /manager port read from its log/);

  writeFileSync(file, JSON.stringify({ containerId: manager.containerID, port: 1 }), { mode: 0o600 });
  const stale = await kdiag(["ps", "-n", ns.name, "--pod", "scratch"], { env: { KDIAG_TIMINGS: "1" } });
  assert.equal(stale.exitCode, 0, String(stale.stderr));
  assert.match(String(stale.stdout), /^1 +0 +server /m);
  assert.match(String(stale.stderr), /manager port read from the cache[^]*manager port read from its log/);
  assert.equal(cached().port, Number(logged?.[1]));
});

test("manage --port-forward keeps a forward open and prints the grpcurl line that lists the manager's service", async () => {
  const port = await findFreePort();
  const manage = execa("kubectl", ["kdiag", "manage", "-n", ns.name, "-l", "app=scratch", "--port-forward", String(port)], {
    env: userEnv,
    reject: false,
    stdin: "ignore",
  });
  try {
    const printed = await waitForOutput(manage.stdout, /^grpcurl -plaintext -H 'authorization: Bearer ([0-9a-f]{64})' 127\.0\.0\.1:(\d+) list$/m);
    assert.equal(printed[2], String(port));
    const header = `authorization: Bearer ${printed[1]}`;
    const listed = await execa(grpcurl, ["-plaintext", "-H", header, `localhost:${port}`, "list"], { reject: false, timeout: 30_000 });
    assert.equal(listed.exitCode, 0, String(listed.stderr));
    assert.ok(String(listed.stdout).split("\n").includes("kdiag.v1.Manager"), String(listed.stdout));
    // The forwarded port is no way around the credential.
    const bare = await execa(grpcurl, ["-plaintext", `localhost:${port}`, "list"], { reject: false, timeout: 30_000 });
    assert.notEqual(bare.exitCode, 0);
    assert.match(String(bare.stderr), /Unauthenticated/);
    manage.kill("SIGINT");
    const done = await manage;
    assert.equal(done.exitCode, 0, String(done.stderr));
    assert.match(String(done.stdout), /^manager: container kdiag-netadmin-[0-9a-f]{10} in pod scratch \(target server\), port \d+\n/);
  } finally {
    manage.kill("SIGKILL");
  }
});

function findFreePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function waitForOutput(stream: NodeJS.ReadableStream | null, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let seen = "";
    const timer = setTimeout(() => reject(new Error(`no ${pattern} within 60s; saw: ${seen}`)), 60_000);
    stream?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const match = pattern.exec(seen);
      if (match) {
        clearTimeout(timer);
        resolve(match);
      }
    });
  });
}
