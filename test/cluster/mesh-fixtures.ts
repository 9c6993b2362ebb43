// A pod meshed the way a sidecar injector meshes it (Istio's istio-init, Linkerd's proxy-init):
// an init container with NET_ADMIN writes nat rules that send every inbound TCP connection to the
// proxy's inbound port and every outbound one to its outbound port, sparing loopback and the
// proxy's own uid. One pod per rule backend a mesh may use. kdiag's redirects must win over these
// rules while they run and leave them exactly as they were (test/e2e/mesh.test.ts).
import { images, managerImage, nodeName } from "./kube.ts";
import { serverPort } from "./fixtures.ts";

export const meshBackends = ["iptables-legacy", "iptables-nft", "nftables"] as const;
export type MeshBackend = (typeof meshBackends)[number];

/** The proxy's ports and uid, as Istio's sidecar has them. */
export const meshProxy = { inboundPort: 15006, outboundPort: 15001, uid: 1337 } as const;

/** What the stand-in proxy answers on each port: "<greeting> <pod name>". */
export const meshGreetings = { inbound: "mesh inbound proxy", outbound: "mesh outbound proxy" } as const;

/** The sidecar that reads the pod's rules and makes its outgoing requests (kubectl exec). */
export const meshToolsContainer = "netfilter";

type IpFamily = 4 | 6;

// iptables-restore input for the nat table: PREROUTING → MESH_INBOUND → REDIRECT to the inbound
// port; OUTPUT → MESH_OUTPUT, which returns loopback and the proxy's own connections (or the
// proxy would capture itself) and sends the rest to MESH_REDIRECT → REDIRECT to the outbound port.
function describeIptablesCapture(family: IpFamily): string {
  const localhost = family === 4 ? "127.0.0.1/32" : "::1/128";
  return [
    "*nat",
    ":PREROUTING ACCEPT [0:0]",
    ":INPUT ACCEPT [0:0]",
    ":OUTPUT ACCEPT [0:0]",
    ":POSTROUTING ACCEPT [0:0]",
    ":MESH_INBOUND - [0:0]",
    ":MESH_IN_REDIRECT - [0:0]",
    ":MESH_OUTPUT - [0:0]",
    ":MESH_REDIRECT - [0:0]",
    "-A PREROUTING -p tcp -j MESH_INBOUND",
    "-A OUTPUT -p tcp -j MESH_OUTPUT",
    `-A MESH_INBOUND -p tcp --dport ${meshProxy.inboundPort} -j RETURN`,
    "-A MESH_INBOUND -p tcp -j MESH_IN_REDIRECT",
    `-A MESH_IN_REDIRECT -p tcp -j REDIRECT --to-ports ${meshProxy.inboundPort}`,
    "-A MESH_OUTPUT -o lo -j RETURN",
    `-A MESH_OUTPUT -m owner --uid-owner ${meshProxy.uid} -j RETURN`,
    `-A MESH_OUTPUT -d ${localhost} -j RETURN`,
    "-A MESH_OUTPUT -j MESH_REDIRECT",
    `-A MESH_REDIRECT -p tcp -j REDIRECT --to-ports ${meshProxy.outboundPort}`,
    "COMMIT",
    "",
  ].join("\n");
}

// The same capture in one inet table, as Istio's nftables backend writes it: its base chains sit
// at priority -100 (dstnat) on both hooks, where iptables' nat chains sit too.
function describeNftablesCapture(): string {
  return [
    "table inet mesh_nat {",
    "  chain prerouting { type nat hook prerouting priority -100; policy accept; meta l4proto tcp jump inbound; }",
    `  chain inbound { tcp dport ${meshProxy.inboundPort} return; meta l4proto tcp redirect to :${meshProxy.inboundPort}; }`,
    "  chain output { type nat hook output priority -100; policy accept; meta l4proto tcp jump outbound; }",
    "  chain outbound {",
    '    oifname "lo" return',
    `    meta skuid ${meshProxy.uid} return`,
    "    ip daddr 127.0.0.1 return",
    "    ip6 daddr ::1 return",
    `    meta l4proto tcp redirect to :${meshProxy.outboundPort}`,
    "  }",
    "}",
    "",
  ].join("\n");
}

// The init container's program: the rules arrive in the environment and are piped to the restore
// tool, so no rule text is ever parsed by a shell.
function describeInitCommand(backend: MeshBackend): { script: string; env: Array<{ name: string; value: string }> } {
  switch (backend) {
    case "iptables-legacy":
    case "iptables-nft": {
      const suffix = backend === "iptables-legacy" ? "legacy" : "nft";
      return {
        script: `printf '%s' "$RULES4" | iptables-${suffix}-restore && printf '%s' "$RULES6" | ip6tables-${suffix}-restore`,
        env: [
          { name: "RULES4", value: describeIptablesCapture(4) },
          { name: "RULES6", value: describeIptablesCapture(6) },
        ],
      };
    }
    case "nftables":
      return { script: `printf '%s' "$RULES" | nft -f -`, env: [{ name: "RULES", value: describeNftablesCapture() }] };
  }
}

const netAdmin = { capabilities: { add: ["NET_ADMIN", "NET_RAW"] } };

// The stand-in proxy: one Node process of the manager image (its own image, not the shared test
// server's, whose tag other worktrees re-import) answering "<greeting> <hostname>" on each port,
// as the mesh's uid. As PID 1 it must handle SIGTERM itself.
const proxyProgram = `
const http = require("node:http");
const os = require("node:os");
process.on("SIGTERM", () => process.exit(0));
const [, ...pairs] = process.argv;
for (let i = 0; i < pairs.length; i += 2) {
  const greeting = pairs[i + 1];
  http.createServer((request, response) => response.end(greeting + " " + os.hostname() + "\\n")).listen(Number(pairs[i]));
}`;

function proxyContainer(): object {
  return {
    name: "proxy",
    image: managerImage,
    imagePullPolicy: "Never",
    command: ["node", "-e", proxyProgram, String(meshProxy.inboundPort), meshGreetings.inbound, String(meshProxy.outboundPort), meshGreetings.outbound],
    ports: [{ containerPort: meshProxy.inboundPort }, { containerPort: meshProxy.outboundPort }],
    securityContext: { runAsUser: meshProxy.uid, runAsGroup: meshProxy.uid },
  };
}

/**
 * A meshed pod (app=mesh, mesh=BACKEND): the app (the scratch server on 8080, "hello from NAME"),
 * `proxy` answering "mesh inbound proxy NAME" on 15006 and "mesh outbound proxy NAME" on 15001 as
 * uid 1337, and `netfilter` (the manager image with NET_ADMIN, not privileged) for reading the
 * rules and making requests (with the image's node) from inside the pod. Its init container `mesh-init`
 * installs the capture with BACKEND's own tool, IPv4 and IPv6.
 */
export function meshPod(options: { name: string; backend: MeshBackend; node?: string }): object {
  const init = describeInitCommand(options.backend);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: options.name, labels: { app: "mesh", mesh: options.backend } },
    spec: {
      // Pinned as fixtures.ts pins its pods (default kdiag-node): the tests read this node's rules.
      nodeName: options.node ?? nodeName,
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      initContainers: [
        {
          name: "mesh-init",
          image: managerImage,
          imagePullPolicy: "Never",
          command: ["/bin/sh", "-ec", init.script],
          env: init.env,
          securityContext: netAdmin,
        },
      ],
      containers: [
        { name: "app", image: images.server, imagePullPolicy: "Never", args: [String(serverPort)], ports: [{ containerPort: serverPort }] },
        proxyContainer(),
        {
          name: meshToolsContainer,
          image: managerImage,
          imagePullPolicy: "Never",
          command: ["/bin/busybox", "sh", "-c", "trap 'exit 0' TERM; while :; do sleep 1; done"],
          securityContext: netAdmin,
        },
      ],
    },
  };
}
