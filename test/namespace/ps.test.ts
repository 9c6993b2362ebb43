// Ps: the manager, running beside a distroless container as an ephemeral container does, lists
// the container's processes with what they listen on — through the CLI's client and through
// grpcurl on a `manage --port-forward`-style local port — and only for the holder of its
// credential: a process of the pod that dials the manager's port gets nothing.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { release } from "node:os";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import type { ManagerClient, PsResponse, VersionResponse } from "../../api/gen/kdiag.ts";
import { listenAndForward, type LocalForward } from "../../pkg/kube/local-forward.ts";
import { connectManagerTls } from "../../pkg/kube/manager-tls.ts";
import { startContainer, type Container } from "./fixtures/container.ts";
import { connectInPod, createPod, startManager, type Manager, type Pod } from "./fixtures/pod.ts";
import { connectManager, type ManagerConnection } from "./fixtures/redirect-client.ts";

const run = promisify(execFile);

describe("listing a distroless container's processes", () => {
  let pod: Pod;
  let container: Container;
  let manager: Manager;
  let connection: ManagerConnection;
  let client: ManagerClient;
  let plaintext: LocalForward;
  let grpcurl: string;

  before(async () => {
    grpcurl = `${(await run("go", ["env", "GOPATH"])).stdout.trim()}/bin/grpcurl`;
    pod = await createPod({ name: "ps" });
    // A service mesh's init container left legacy iptables rules in this pod.
    await pod.exec(["iptables-legacy", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "15001", "-j", "RETURN"]);
    container = await startContainer({ podNs: pod.podNs, name: "ps-web", port: 8080 });
    manager = await startManager({ pod, containerPid: container.hostPid });
    connection = await connectManager({ pod, manager });
    client = connection.client;
    // What `manage --port-forward` gives a developer: plaintext here, pinned TLS to the manager.
    plaintext = await listenAndForward({
      connect: () =>
        connectManagerTls({ forward: () => connectInPod({ pod, port: manager.port }), credential: connection.credential, pod: "ps" }),
    });
  });
  after(async () => {
    connection?.close();
    await plaintext?.close();
    await manager?.stop();
    await container?.stop();
    await pod?.cleanup();
  });

  const server = {
    pid: 1,
    ppid: 0,
    name: "server",
    cmdline: ["/server", "8080"],
    // Go's ":8080" is one dual-stack socket.
    listening: [{ protocol: "tcp6", address: "::", port: 8080 }],
  };

  it("Ps lists the container's server as PID 1 with its listening address, and not the manager", async () => {
    const response = await new Promise<PsResponse>((resolve, reject) =>
      client.ps({}, (error, value) => (error ? reject(error) : resolve(value))),
    );
    assert.deepEqual(response, { processes: [server] });
  });

  it("Version tells the pod's iptables flavour, IPv6 and kernel", async () => {
    const response = await new Promise<VersionResponse>((resolve, reject) =>
      client.version({}, (error, value) => (error ? reject(error) : resolve(value))),
    );
    assert.deepEqual(
      { iptablesMode: response.iptablesMode, ipv6: response.ipv6, kernel: response.kernel },
      { iptablesMode: "legacy", ipv6: true, kernel: release() },
    );
  });

  const grpcurlHere = (args: string[]) => run(grpcurl, ["-plaintext", ...args], { timeout: 20_000 });
  const withToken = () => ["-H", `authorization: Bearer ${connection.credential.token}`];

  it("grpcurl finds kdiag.v1.Manager by reflection on the forwarded port, with the token", async () => {
    const { stdout } = await grpcurlHere([...withToken(), `127.0.0.1:${plaintext.port}`, "list"]);
    assert.equal(stdout, "kdiag.v1.Manager\n");
    const { stdout: methods } = await grpcurlHere([...withToken(), `127.0.0.1:${plaintext.port}`, "list", "kdiag.v1.Manager"]);
    assert.equal(methods, "kdiag.v1.Manager.Conntrack\nkdiag.v1.Manager.Ps\nkdiag.v1.Manager.Reach\nkdiag.v1.Manager.Redirect\nkdiag.v1.Manager.Rules\nkdiag.v1.Manager.Tunnel\nkdiag.v1.Manager.Version\n");
  });

  it("grpcurl calls Ps and gets the server with its port", async () => {
    const { stdout } = await grpcurlHere([...withToken(), `127.0.0.1:${plaintext.port}`, "kdiag.v1.Manager/Ps"]);
    // proto3 JSON leaves out ppid 0.
    const { ppid: _zero, ...serverJson } = server;
    assert.deepEqual(JSON.parse(stdout), { processes: [serverJson] });
  });

  it("without the token, or with another one, every call is refused as unauthenticated, reflection included", async () => {
    for (const headers of [[], ["-H", "authorization: Bearer 00"], ["-H", `authorization: Bearer ${connection.credential.token}x`]]) {
      for (const call of [["list"], ["kdiag.v1.Manager/Ps"], ["kdiag.v1.Manager/Version"]]) {
        const refused = await grpcurlHere([...headers, `127.0.0.1:${plaintext.port}`, ...call]).then(
          () => undefined,
          (error: { code: number; stderr: string }) => error,
        );
        assert.ok(refused, `grpcurl ${call.join(" ")} with ${JSON.stringify(headers)} was answered`);
        assert.match(refused.stderr, /code = Unauthenticated desc = .*missing or wrong kdiag credential/);
      }
    }
  });

  it("a process of the pod dialling the manager's port gets no connection: plaintext fails, and TLS without the client certificate fails its handshake", async () => {
    const inPod = (args: string[]) =>
      run("ip", ["netns", "exec", pod.podNs, grpcurl, "-connect-timeout", "3", ...args, `127.0.0.1:${manager.port}`, "kdiag.v1.Manager/Ps"], {
        timeout: 20_000,
      }).then(
        ({ stdout }) => stdout,
        (error: { code: number; stderr: string }) => error,
      );
    const plain = await inPod(["-plaintext"]);
    assert.equal(typeof plain, "object", `plaintext Ps was answered: ${String(plain)}`);
    const unpinned = await inPod(["-insecure", "-H", `authorization: Bearer ${connection.credential.token}`]);
    // Even with the token: without the client certificate there is no connection to send it on.
    assert.equal(typeof unpinned, "object", `TLS Ps without the client certificate was answered: ${String(unpinned)}`);
    assert.match((unpinned as { stderr: string }).stderr, /Failed to dial target host/);
  });
});
