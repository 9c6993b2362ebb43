import assert from "node:assert/strict";
import { test } from "node:test";
import { status } from "@grpc/grpc-js";
import { UsageError } from "../../pkg/errors.ts";
import { toRedirConfig } from "../../pkg/commands/redir/config.ts";
import { choosePodPorts } from "../../pkg/commands/redir/discover.ts";
import { describeManagerFailure, type ManagerPlace } from "../../pkg/manager-call.ts";

/** A redirect's failure as redir reports it; `transport` is why the port-forward last failed. */
function describeRedirectFailure(error: unknown, target: { pod: string; podPort: number; outgoing: boolean }, transport?: unknown): string {
  const place: ManagerPlace = { podName: target.pod, lastForwardError: () => transport };
  return describeManagerFailure(error, { kind: "redirect", port: target.podPort, outgoing: target.outgoing }, place);
}

test("redir takes a pod or a selector and port pairs", () => {
  const config = toRedirConfig({ selector: "app=server", ports: [80, "443:8443"] });
  assert.deepEqual(config.pod.selection, { kind: "selector", selector: "app=server" });
  assert.deepEqual(config.ports, [
    { podPort: 80, localPort: 80 },
    { podPort: 443, localPort: 8443 },
  ]);
  assert.equal(config.outgoing, false);
  assert.equal(config.pod.quiet, false);
});

test("a bad port pair on the command line is a usage error naming it", () => {
  assert.throws(() => toRedirConfig({ pod: "web", ports: ["1:2:3"] }), UsageError);
  assert.throws(() => toRedirConfig({ pod: "web", ports: [0] }), new UsageError("port `0` in `0` is out of range (1–65535)"));
});

test("--outgoing without ports is refused with an example", () => {
  assert.throws(
    () => toRedirConfig({ pod: "client", outgoing: true }),
    new UsageError(
      "--outgoing needs the ports to take over (the pod's listening ports say nothing about where it connects), e.g. `redir --outgoing -l app=client 80:8080`",
    ),
  );
});

test("--pod and -l together are refused", () => {
  assert.throws(() => toRedirConfig({ pod: "a", selector: "b=c", ports: [80] }), new UsageError("--pod and -l cannot be used together; choose one"));
});

test("with no ports, every TCP port the pod listens on outside loopback is taken, once each", () => {
  const listening = (protocol: string, address: string, port: number) => ({ protocol, address, port });
  const processes = [
    { pid: 1, ppid: 0, name: "server", cmdline: ["server"], listening: [listening("tcp6", "::", 8080), listening("tcp", "0.0.0.0", 8080)] },
    { pid: 7, ppid: 0, name: "node", cmdline: ["node"], listening: [listening("tcp", "127.0.0.1", 41000), listening("udp", "0.0.0.0", 53)] },
    { pid: 9, ppid: 1, name: "admin", cmdline: ["admin"], listening: [listening("tcp", "10.88.0.5", 9090), listening("tcp6", "::1", 9091)] },
  ];
  assert.deepEqual(choosePodPorts(processes), [
    { podPort: 8080, localPort: 8080 },
    { podPort: 9090, localPort: 9090 },
  ]);
});

test("manager refusals become one line naming the pod and port", () => {
  const target = { pod: "web-1", podPort: 80, outgoing: false };
  const error = (code: status, details: string) => Object.assign(new Error(details), { code, details });
  assert.equal(
    describeRedirectFailure(error(status.ALREADY_EXISTS, "incoming port 80 is already redirected by this kdiag manager"), target),
    "port 80 of pod web-1 is already redirected (another `kdiag redir` is running against it); stop that one first",
  );
  assert.equal(
    describeRedirectFailure(error(status.FAILED_PRECONDITION, "redirects are unavailable: nft not found"), { ...target, outgoing: true }),
    "cannot redirect outgoing port 80 of pod web-1: redirects are unavailable: nft not found",
  );
  assert.equal(
    describeRedirectFailure(error(status.ABORTED, "the kdiag manager lost its redirect rules: nft exited (SIGKILL)"), target),
    "kdiag's manager ended the redirect of port 80 of pod web-1: the kdiag manager lost its redirect rules: nft exited (SIGKILL); run the command again",
  );
  assert.equal(
    describeRedirectFailure(error(status.UNAVAILABLE, "Connection dropped"), target),
    "lost the connection to kdiag's manager in pod web-1 while redirecting port 80: Connection dropped; run the command again",
  );
  assert.equal(
    describeRedirectFailure(error(status.UNAVAILABLE, "Connection dropped"), target, new Error("pod `web-1` was deleted")),
    "lost the connection to kdiag's manager in pod web-1 while redirecting port 80: pod `web-1` was deleted; run the command again",
  );
});

test("ps's failures read the same way as redir's, naming what was being attempted", () => {
  const place: ManagerPlace = { podName: "web-1", lastForwardError: () => undefined };
  const error = (code: status, details: string) => Object.assign(new Error(details), { code, details });
  assert.equal(
    describeManagerFailure(error(status.DEADLINE_EXCEEDED, "Deadline exceeded"), { kind: "ps" }, place),
    "kdiag's manager in pod web-1 did not answer in time while listing its processes; run the command again",
  );
  assert.equal(
    describeManagerFailure(error(status.UNAUTHENTICATED, "bad token"), { kind: "ps" }, place),
    "kdiag's manager in pod web-1 refused kdiag's credential; run the command again",
  );
  assert.equal(
    describeManagerFailure(error(status.UNIMPLEMENTED, ""), { kind: "redirect", port: 80, outgoing: false }, place),
    "kdiag's manager in pod web-1 is from another kdiag version (it does not know the redirect of port 80 of pod web-1); use the --image matching this CLI",
  );
  assert.equal(
    describeManagerFailure(error(status.UNAVAILABLE, "No connection established"), { kind: "ps" }, { ...place, lastForwardError: () => new Error("pod `web-1` was deleted") }),
    "lost the connection to kdiag's manager in pod web-1 while listing its processes: pod `web-1` was deleted; run the command again",
  );
});

test("redir refuses a hostNetwork pod in one line unless --redirect-node-traffic says so", async () => {
  const { refuseNodeNetwork } = await import("../../pkg/commands/redir/node-network.ts");
  const hostPod = { metadata: { name: "node-agent" }, spec: { hostNetwork: true, containers: [] } };
  assert.equal(toRedirConfig({ pod: "node-agent", ports: [80] }).redirectNodeTraffic, false);
  assert.throws(() => refuseNodeNetwork(hostPod, toRedirConfig({ pod: "node-agent", ports: [80] })), {
    name: "KdiagError",
    message:
      "pod node-agent uses the node's network (hostNetwork), so a redirect would take the node's own traffic; pass --redirect-node-traffic if that is what you want",
  });
  refuseNodeNetwork(hostPod, toRedirConfig({ pod: "node-agent", ports: [80], redirectNodeTraffic: true }));
  refuseNodeNetwork({ spec: { containers: [] } }, toRedirConfig({ pod: "web", ports: [80] }));
});
