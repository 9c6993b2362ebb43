import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createSocket } from "node:dgram";
import { createServer, type AddressInfo } from "node:net";
import { once } from "node:events";
import { after, before, describe, it } from "node:test";
import { excludeDescendants, listProcesses } from "../../manager/processes.ts";

// Reads this machine's real /proc: the test process itself is the listener.
describe("listing processes from /proc", () => {
  const server = createServer();
  const udp = createSocket("udp4");
  const child = spawn("sleep", ["60"], { stdio: "ignore" });
  let tcpPort = 0;
  let udpPort = 0;

  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    tcpPort = (server.address() as AddressInfo).port;
    udp.bind(0, "127.0.0.1");
    await once(udp, "listening");
    udpPort = udp.address().port;
  });
  after(() => {
    server.close();
    udp.close();
    child.kill();
  });

  it("shows a process with its command line and the TCP and UDP addresses it listens on", async () => {
    const processes = await listProcesses({ excludePids: [] });
    const self = processes.find((p) => p.pid === process.pid);
    assert.ok(self, "the test process is listed");
    assert.equal(self.ppid, process.ppid);
    assert.deepEqual(self.cmdline, [process.execPath, ...process.execArgv, ...process.argv.slice(1)]);
    assert.deepEqual(
      self.listening.filter((a) => a.port === tcpPort || a.port === udpPort),
      [
        { protocol: "tcp", address: "127.0.0.1", port: tcpPort },
        { protocol: "udp", address: "127.0.0.1", port: udpPort },
      ],
    );
    const sleeper = processes.find((p) => p.pid === child.pid);
    assert.deepEqual(sleeper, { pid: child.pid, ppid: process.pid, name: "sleep", cmdline: ["sleep", "60"], listening: [] });
  });

  it("leaves out the excluded processes and everything they started", async () => {
    const pids = (await listProcesses({ excludePids: [process.pid] })).map((p) => p.pid);
    assert.ok(!pids.includes(process.pid));
    assert.ok(!pids.includes(child.pid!));
    assert.ok(pids.includes(process.ppid) || process.ppid === 0);
  });

  it("leaves out descendants whose pids are lower than their parents' (pids wrapped)", () => {
    // 20 is excluded; it started 30, which started 10 after the pid counter wrapped.
    const table: Array<[number, number]> = [[2, 1], [10, 30], [20, 1], [30, 20]];
    const processes = table.map(([pid, ppid]) => ({ pid, ppid, name: "", cmdline: [], listening: [] }));
    assert.deepEqual(
      excludeDescendants({ processes, excludePids: [20] }).map((p) => p.pid),
      [2],
    );
  });
});
