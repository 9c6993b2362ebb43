// Reach: the manager dials what the CLI names from the pod's network namespace, all probes at
// once, and says per probe whether it got through — a listening peer, a closed port, a peer
// whose firewall drops the pod's packets, a UDP echo and a silent UDP port, an HTTP server's
// first line — and refuses requests beyond its bounds without dialling anything.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { status, type ServiceError } from "@grpc/grpc-js";
import { after, before, describe, it } from "node:test";
import { Probe_Protocol, type Probe, type ReachResponse } from "../../api/gen/kdiag.ts";
import { startManagedPod, type ManagedPod } from "./fixtures/managed-pod.ts";
import { peerPorts, startPeerServers, type PeerServers } from "./fixtures/peer-servers.ts";
import { connectManager } from "./fixtures/redirect-client.ts";

const run = promisify(execFile);

/** A ReachRequest with the usual defaults left out: 1 s, TCP, no HTTP. */
interface ShortRequest {
  timeoutMs?: number;
  probes: Array<Pick<Probe, "host" | "port"> & Partial<Probe>>;
}
const dropped = 9999;
const closed = 8082;

describe("reach from a pod", () => {
  let managed: ManagedPod;
  let peer: PeerServers;

  before(async () => {
    managed = await startManagedPod({ name: "reach" });
    peer = await startPeerServers({ ns: managed.pod.peerNs, name: "peer" });
    // The peer's firewall drops whatever the pod sends to port 9999: no answer, not even a reset.
    const nft = (rule: string) => run("ip", ["netns", "exec", managed.pod.peerNs, "nft", rule]);
    await nft("add table inet kdiag_reach_test");
    await nft("add chain inet kdiag_reach_test input { type filter hook input priority 0; }");
    await nft(`add rule inet kdiag_reach_test input tcp dport ${dropped} drop`);
    // A first IPv6 contact waits for neighbour discovery, which on a loaded machine can outlast a
    // probe's timeout: settle it before the stories time their probes.
    const deadline = Date.now() + 10_000;
    while (!(await reach({ timeoutMs: 500, probes: [{ host: managed.pod.peerIp6, port: peerPorts.http }] })).results[0]?.reachable) {
      if (Date.now() > deadline) throw new Error(`the peer's IPv6 address ${managed.pod.peerIp6} is not reachable from the pod within 10 s`);
    }
  });
  after(async () => {
    await peer?.stop();
    await managed?.stop();
  });

  const reach = (request: ShortRequest, connection = managed.connection) =>
    new Promise<ReachResponse>((resolve, reject) =>
      connection.client.reach(
        { timeoutMs: request.timeoutMs ?? 1_000, probes: request.probes.map((probe) => ({ protocol: Probe_Protocol.TCP, http: false, ...probe })) },
        (error, response) => (error ? reject(error) : resolve(response)),
      ),
    );
  const peerIp = () => managed.pod.peerIp4;

  it("a listening peer is reachable, a closed port refused and a dropped one times out — all dialled at once", async () => {
    const started = Date.now();
    const { results } = await reach({
      timeoutMs: 800,
      probes: [
        { host: peerIp(), port: peerPorts.http },
        { host: managed.pod.peerIp6, port: peerPorts.http },
        { host: peerIp(), port: closed },
        { host: peerIp(), port: dropped },
        { host: peerIp(), port: dropped },
      ],
    });
    const elapsed = Date.now() - started;
    assert.deepEqual(
      results.map(({ reachable, unknown, error, address }) => ({ reachable, unknown, error, address })),
      [
        { reachable: true, unknown: false, error: "", address: peerIp() },
        { reachable: true, unknown: false, error: "", address: managed.pod.peerIp6 },
        { reachable: false, unknown: false, error: "refused", address: peerIp() },
        { reachable: false, unknown: false, error: "timeout", address: peerIp() },
        { reachable: false, unknown: false, error: "timeout", address: peerIp() },
      ],
    );
    assert.ok(results[0]!.latencyMs > 0 && results[0]!.latencyMs < 800, `latency ${results[0]!.latencyMs} ms`);
    // Two timeouts of 800 ms in a row would take 1.6 s.
    assert.ok(elapsed >= 800 && elapsed < 1_500, `the call took ${elapsed} ms`);
  });

  it("an HTTP probe records the first line of the answer's body", async () => {
    const { results } = await reach({ probes: [{ host: peerIp(), port: peerPorts.http, http: true }] });
    assert.equal(results[0]?.reachable, true);
    assert.equal(results[0]?.httpFirstLine, "hello from peer");
  });

  it("UDP: an echo's reply proves delivery, an ICMP port unreachable is refused, and silence is unknown", async () => {
    const udp = (port: number) => ({ host: peerIp(), port, protocol: Probe_Protocol.UDP });
    const { results } = await reach({ timeoutMs: 500, probes: [udp(peerPorts.udpEcho), udp(closed), udp(peerPorts.udpSilent)] });
    assert.deepEqual(
      results.map(({ reachable, unknown, error }) => ({ reachable, unknown, error })),
      [
        { reachable: true, unknown: false, error: "" },
        { reachable: false, unknown: false, error: "refused" },
        { reachable: false, unknown: true, error: "no reply" },
      ],
    );
  });

  it("a UDP probe the kernel will not even connect (broadcast, no route) is a failed probe, and the manager lives on", async () => {
    const udp = (host: string) => ({ host, port: 53, protocol: Probe_Protocol.UDP });
    const { results } = await reach({ timeoutMs: 500, probes: [udp("255.255.255.255"), udp("2001:db8::1")] });
    assert.deepEqual(results.map(({ reachable, unknown }) => ({ reachable, unknown })), [{ reachable: false, unknown: false }, { reachable: false, unknown: false }]);
    assert.ok(results.every((result) => result.error !== ""), JSON.stringify(results));
    const again = await reach({ timeoutMs: 500, probes: [{ host: peerIp(), port: peerPorts.udpEcho, protocol: Probe_Protocol.UDP }] });
    assert.equal(again.results[0]?.reachable, true);
  });

  it("a name is resolved through the pod's resolver (its /etc/hosts) before it is dialled", async () => {
    const { results } = await reach({ probes: [{ host: "localhost", port: managed.manager.port }] });
    assert.equal(results[0]?.reachable, true, results[0]?.error);
    assert.match(results[0]?.address ?? "", /^(127\.0\.0\.1|::1)$/);
  });

  it("at most 32 dials are in flight: 64 probes that time out take two rounds", async () => {
    const started = Date.now();
    const { results } = await reach({ timeoutMs: 500, probes: Array.from({ length: 64 }, () => ({ host: peerIp(), port: dropped })) });
    const elapsed = Date.now() - started;
    assert.ok(results.every((result) => result.error === "timeout"));
    assert.ok(elapsed >= 1_000 && elapsed < 1_500, `64 probes took ${elapsed} ms`);
  });

  it("a fifth call while four run is refused as RESOURCE_EXHAUSTED", async () => {
    const slow = { timeoutMs: 700, probes: [{ host: peerIp(), port: dropped }] };
    const calls = Array.from({ length: 5 }, () => reach(slow).then(() => undefined, (error: ServiceError) => error));
    const outcomes = await Promise.all(calls);
    assert.deepEqual(outcomes.map((outcome) => outcome?.code), [undefined, undefined, undefined, undefined, status.RESOURCE_EXHAUSTED]);
    assert.equal(outcomes[4]?.details, "4 reach calls are running on this kdiag manager; try again when one ends");
  });

  const refusals: Array<[string, ShortRequest, status, string]> = [
    ["257 probes", { probes: Array.from({ length: 257 }, () => ({ host: "10.240.0.1", port: peerPorts.http })) }, status.RESOURCE_EXHAUSTED, "257 probes in one reach request; at most 256"],
    ["no probe", { probes: [] }, status.INVALID_ARGUMENT, "a reach request needs at least one probe"],
    ["a timeout over 10 s", { timeoutMs: 10_001, probes: [{ host: "10.240.0.1", port: peerPorts.http }] }, status.INVALID_ARGUMENT, "a probe timeout of 10001 ms is out of range (1-10000 ms)"],
    ["a timeout of 0", { timeoutMs: 0, probes: [{ host: "10.240.0.1", port: peerPorts.http }] }, status.INVALID_ARGUMENT, "a probe timeout of 0 ms is out of range (1-10000 ms)"],
    ["port 0", { probes: [{ host: "10.240.0.1", port: peerPorts.http }, { host: "10.240.0.1", port: 0 }] }, status.INVALID_ARGUMENT, "port 0 is out of range (1-65535)"],
    ["port 70000", { probes: [{ host: "10.240.0.1", port: 70_000 }] }, status.INVALID_ARGUMENT, "port 70000 is out of range (1-65535)"],
    ["a host that is no name", { probes: [{ host: "peer;rm -rf /", port: peerPorts.http }] }, status.INVALID_ARGUMENT, 'host "peer;rm -rf /" is neither an IP address nor a DNS name'],
    ["HTTP over UDP", { probes: [{ host: "10.240.0.1", port: peerPorts.udpEcho, protocol: Probe_Protocol.UDP, http: true }] }, status.INVALID_ARGUMENT, "an HTTP probe of 10.240.0.1:5353 must be TCP"],
  ];
  for (const [what, request, code, details] of refusals) {
    it(`a request with ${what} is refused and dials nothing`, async () => {
      const before = peer.received().length;
      const error = await reach(request).then(() => undefined, (failure: ServiceError) => failure);
      assert.equal(error?.code, code);
      assert.equal(error?.details, details);
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(peer.received().length, before);
    });
  }

  it("without the manager's token, Reach is refused as unauthenticated and dials nothing", async () => {
    const stranger = await connectManager({ pod: managed.pod, manager: managed.manager, token: "00".repeat(32) });
    try {
      const before = peer.received().length;
      const error = await reach({ probes: [{ host: peerIp(), port: peerPorts.http }] }, stranger).then(() => undefined, (failure: ServiceError) => failure);
      assert.equal(error?.code, status.UNAUTHENTICATED);
      assert.equal(peer.received().length, before);
    } finally {
      stranger.close();
    }
  });
});
