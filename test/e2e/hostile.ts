// What the security tests share about the hostile container of `hostilePod` (test/cluster/
// fixtures.ts): the events its poller logged, grpcurl run from inside it (uid 65534, no
// capabilities, the pod's loopback), and the port kdiag's manager announced in its own log.
import { parseListeningPort } from "../../pkg/kube/manager-port.ts";
import { managerContainerPrefix } from "../../pkg/kube/ephemeral.ts";
import { kubectl, type KubectlResult } from "../cluster/kube.ts";

export const hostileContainer = "hostile";

/** One line of the poller's log (test/images/hostile/main.go lists the events and fields). */
export interface HostileEvent {
  event: "start" | "listener" | "connected" | "sent" | "received" | "closed" | "refused" | "error" | "cap" | "unparsed";
  port?: number;
  address?: string;
  attempt?: number;
  /** sent/received/closed: byte count. */
  bytes?: number;
  /**
   * received: the first 64 bytes the connection got, printable ASCII as is, anything else as \xNN.
   * A plaintext HTTP/2 server answers the poller's preface with SETTINGS (and GOAWAY) frames, so
   * a received event alone is no leak: look for the redirected payload's marker, sent within the
   * stream's first 64 bytes, in the samples.
   */
  sample?: string;
  /** closed: eof, timeout, reset or the error's text. */
  how?: string;
  error?: string;
  /** unparsed: a log line that was not JSON (a Go panic, say). */
  line?: string;
}

/** Every event the hostile container has logged so far, in order. */
export async function readHostileEvents(ns: string, pod: string): Promise<HostileEvent[]> {
  const { stdout } = await kubectl(["-n", ns, "logs", pod, "-c", hostileContainer]);
  return stdout
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as HostileEvent;
      } catch {
        return { event: "unparsed", line };
      }
    });
}

/**
 * `/grpcurl ARGS…` in the hostile container; never rejects. grpcurl exits 64 + the gRPC status
 * code when the server answered with one (UNAUTHENTICATED: 80), 1 when it could not connect or
 * handshake; see grpcStatusOf.
 */
export function grpcurlFromHostile(ns: string, pod: string, args: string[], timeoutMs = 30_000): Promise<KubectlResult> {
  return kubectl(["-n", ns, "exec", pod, "-c", hostileContainer, "--", "/grpcurl", ...args], {
    allowFailure: true,
    timeoutMs,
  });
}

/** The gRPC status code grpcurl's exit code carries, or undefined when it carries none. */
export function grpcStatusOf(result: KubectlResult): number | undefined {
  const code = result.exitCode - 64;
  return code >= 1 && code <= 16 ? code : undefined;
}

/**
 * The port kdiag's manager in POD listens on, from the `Listening on 127.0.0.1:<port>` first
 * line of its container's log (the running `kdiag-…` ephemeral container, else the newest).
 */
export async function findManagerPort(ns: string, pod: string, timeoutMs = 30_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const container = await findManagerContainer(ns, pod);
    if (container) {
      const log = await kubectl(["-n", ns, "logs", pod, "-c", container], { allowFailure: true });
      const port = parseListeningPort(log.stdout);
      if (port !== undefined) return port;
    }
    if (Date.now() > deadline) {
      throw new Error(`no \`Listening on 127.0.0.1:PORT\` line from a ${managerContainerPrefix}… container of pod ${ns}/${pod} within ${timeoutMs / 1000}s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export async function findManagerContainer(ns: string, pod: string): Promise<string | undefined> {
  const { stdout } = await kubectl(["-n", ns, "get", "pod", pod, "-o", "json"]);
  const status = JSON.parse(stdout) as {
    spec: { ephemeralContainers?: Array<{ name: string }> };
    status: { ephemeralContainerStatuses?: Array<{ name: string; state?: { running?: object } }> };
  };
  const names = (status.spec.ephemeralContainers ?? []).map((c) => c.name).filter((name) => name.startsWith(managerContainerPrefix));
  const running = new Set((status.status.ephemeralContainerStatuses ?? []).filter((s) => s.state?.running).map((s) => s.name));
  return [...names].reverse().find((name) => running.has(name)) ?? names.at(-1);
}
