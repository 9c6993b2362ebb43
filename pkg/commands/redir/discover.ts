// With no ports given, `redir` takes over every TCP port the pod listens on from outside — what
// `ps` shows, minus loopback (kdiag's own manager and anything else reachable only in the pod).
import type { Process } from "../../../api/gen/kdiag.ts";
import type { PortPair } from "./ports.ts";

function isLoopback(address: string): boolean {
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}

/** Every non-loopback listening TCP port, each once, lowest first, to the same local port. */
export function choosePodPorts(processes: readonly Process[]): PortPair[] {
  const ports = new Set<number>();
  for (const process of processes) {
    for (const listening of process.listening) {
      if ((listening.protocol === "tcp" || listening.protocol === "tcp6") && !isLoopback(listening.address)) {
        ports.add(listening.port);
      }
    }
  }
  return [...ports].sort((a, b) => a - b).map((port) => ({ podPort: port, localPort: port }));
}
