// Pods for tests and demos, built from the local cluster's images (pull policy Never: there is no
// registry). Each returns a Pod object for `apply`, pinned to a node (kdiag-node unless `node` says
// otherwise): on a cluster of several nodes, tests that read a node's state (its rules, its
// NodePorts) must know where their pods run.
import { images, nodeName } from "./kube.ts";

export const serverPort = 8080;

export interface PodOptions {
  name: string;
  labels?: Record<string, string>;
  /** The node the pod runs on (`spec.nodeName`, which bypasses the scheduler); default kdiag-node. */
  node?: string;
}

function pod(options: PodOptions, labels: Record<string, string>, containers: object[]): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: options.name, labels: { ...labels, ...options.labels } },
    spec: { nodeName: options.node ?? nodeName, automountServiceAccountToken: false, terminationGracePeriodSeconds: 1, containers },
  };
}

function serverContainer(name: string, port = serverPort): object {
  return { name, image: images.server, imagePullPolicy: "Never", args: [String(port)], ports: [{ containerPort: port }] };
}

/** The UDP port a server pod answers on when asked to (`udp: true`): one datagram back per datagram. */
export const serverUdpPort = 9053;

/** A distroless pod: one static HTTP server on 8080 in a scratch image, no shell (app=scratch). */
export function scratchPod(options: PodOptions = { name: "scratch" }): object {
  return pod(options, { app: "scratch" }, [serverContainer("server")]);
}

/**
 * The scratch server in a pod hardened as the `restricted` profile and most distroless images
 * ask (app=nonroot): runAsNonRoot, uid and gid 1000 at pod level, which ephemeral containers
 * inherit unless they say otherwise.
 */
export function nonRootPod(options: PodOptions = { name: "nonroot" }): object {
  const manifest = pod(options, { app: "nonroot" }, [serverContainer("server")]) as { spec: object };
  return { ...manifest, spec: { ...manifest.spec, securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 } } };
}

/**
 * A server pod (app=server) answering "hello from <pod name>" on 8080; create two for a pair.
 * `udp` also answers datagrams on serverUdpPort. `drainSeconds` keeps the server running that long
 * after the pod is deleted (a preStop sleep): terminating but still serving, as a pod draining its
 * clients is.
 */
export function serverPod(options: PodOptions & { udp?: boolean; drainSeconds?: number }): object {
  const { udp, drainSeconds } = options;
  const server = {
    ...serverContainer("server"),
    ...(udp && {
      env: [{ name: "UDP_PORT", value: String(serverUdpPort) }],
      ports: [{ containerPort: serverPort }, { containerPort: serverUdpPort, protocol: "UDP" }],
    }),
    ...(drainSeconds !== undefined && { lifecycle: { preStop: { sleep: { seconds: drainSeconds } } } }),
  };
  const manifest = pod(options, { app: "server" }, [server]) as { spec: object };
  if (drainSeconds === undefined) return manifest;
  return { ...manifest, spec: { ...manifest.spec, terminationGracePeriodSeconds: drainSeconds + 10 } };
}

/** The two server pods server-1 and server-2 (app=server). */
export function serverPods(): object[] {
  return [serverPod({ name: "server-1" }), serverPod({ name: "server-2" })];
}

/**
 * A client pod (app=client) asking http://TARGET/ once a second and printing each reply line;
 * TARGET is host:port, e.g. a server pod's IP and 8080 (no cluster DNS or Service proxy here).
 */
export function clientPod(options: PodOptions & { target: string; intervalSeconds?: number }): object {
  return pod(options, { app: "client" }, [
    {
      name: "client",
      image: images.client,
      imagePullPolicy: "Never",
      env: [
        { name: "TARGET", value: options.target },
        { name: "INTERVAL", value: String(options.intervalSeconds ?? 1) },
      ],
    },
  ]);
}

/**
 * A client pod (app=udp-client) keeping one UDP conversation with TARGET (host:port): a datagram
 * every half second, always from local port `fromPort` (so the node's conntrack holds one entry for
 * it), printing each reply line or "no reply from TARGET".
 */
export function udpClientPod(options: PodOptions & { target: string; fromPort?: number }): object {
  return pod(options, { app: "udp-client" }, [
    {
      name: "client",
      image: images.client,
      imagePullPolicy: "Never",
      command: ["/udp-client", "-from", String(options.fromPort ?? 40000), "-every", "500ms", options.target],
    },
  ]);
}

/** A pod with two containers (app=two): servers "web" on 8080 and "admin" on 9090. */
export function twoContainerPod(options: PodOptions = { name: "two" }): object {
  return pod(options, { app: "two" }, [serverContainer("web", 8080), serverContainer("admin", 9090)]);
}

/** A busybox pod (app=busybox) running COMMAND (default: sleep forever) with sh and its applets. */
export function busyboxPod(options: PodOptions & { command?: string } = { name: "busybox" }): object {
  return pod(options, { app: "busybox" }, [
    {
      name: "busybox",
      image: images.busybox,
      imagePullPolicy: "Never",
      command: ["sh", "-c", options.command ?? "trap 'exit 0' TERM; while :; do sleep 1; done"],
    },
  ]);
}

/** The uid and gid the hostile container runs as: nobody, with no capability. */
export const hostileUid = 65534;

/**
 * A pod (app=hostile-target) whose first container, kdiag's default target, is the scratch server
 * on 8080, and whose second container `hostile` is an unprivileged neighbour sharing its loopback:
 * it connects to every listener that appears there, writes `HOSTILE-INJECT <port>` (and an HTTP/2
 * preface), logs what it reads as JSON lines (test/images/hostile), and has /grpcurl and busybox.
 */
export function hostilePod(options: PodOptions = { name: "hostile" }): object {
  return pod(options, { app: "hostile-target" }, [
    serverContainer("server"),
    {
      name: "hostile",
      image: images.hostile,
      imagePullPolicy: "Never",
      securityContext: {
        runAsUser: hostileUid,
        runAsGroup: hostileUid,
        runAsNonRoot: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      },
    },
  ]);
}
