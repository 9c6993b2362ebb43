// Ps: the manager, running beside a distroless container as an ephemeral container does, lists
// the container's processes with what they listen on — through grpc-js and through grpcurl.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { release } from "node:os";
import { promisify } from "node:util";
import { after, before, describe, it } from "node:test";
import { credentials } from "@grpc/grpc-js";
import { ManagerClient, type PsResponse, type VersionResponse } from "../../api/gen/kdiag.ts";
import { startContainer, type Container } from "./fixtures/container.ts";
import { createPod, forwardPort, startManager, type Manager, type Pod } from "./fixtures/pod.ts";

const run = promisify(execFile);

describe("listing a distroless container's processes", () => {
  let pod: Pod;
  let container: Container;
  let manager: Manager;
  let forward: { localPort: number; close(): void };
  let client: ManagerClient;
  let grpcurl: string;

  before(async () => {
    grpcurl = `${(await run("go", ["env", "GOPATH"])).stdout.trim()}/bin/grpcurl`;
    pod = await createPod({ name: "ps" });
    // A service mesh's init container left legacy iptables rules in this pod.
    await pod.exec(["iptables-legacy", "-t", "nat", "-A", "OUTPUT", "-p", "tcp", "--dport", "15001", "-j", "RETURN"]);
    container = await startContainer({ podNs: pod.podNs, name: "ps-web", port: 8080 });
    manager = await startManager({ pod, containerPid: container.hostPid });
    forward = await forwardPort({ pod, port: manager.port });
    client = new ManagerClient(`127.0.0.1:${forward.localPort}`, credentials.createInsecure());
  });
  after(async () => {
    client?.close();
    forward?.close();
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

  it("grpcurl finds kdiag.v1.Manager by reflection", async () => {
    const { stdout } = await run("ip", ["netns", "exec", pod.podNs, grpcurl, "-plaintext", `127.0.0.1:${manager.port}`, "list"]);
    assert.equal(stdout, "kdiag.v1.Manager\n");
    const { stdout: methods } = await run("ip", ["netns", "exec", pod.podNs, grpcurl, "-plaintext", `127.0.0.1:${manager.port}`, "list", "kdiag.v1.Manager"]);
    assert.equal(methods, "kdiag.v1.Manager.Ps\nkdiag.v1.Manager.Redirect\nkdiag.v1.Manager.Version\n");
  });

  it("grpcurl calls Ps and gets the server with its port", async () => {
    const { stdout } = await run("ip", ["netns", "exec", pod.podNs, grpcurl, "-plaintext", `127.0.0.1:${manager.port}`, "kdiag.v1.Manager/Ps"]);
    // proto3 JSON leaves out ppid 0.
    const { ppid: _zero, ...serverJson } = server;
    assert.deepEqual(JSON.parse(stdout), { processes: [serverJson] });
  });
});
