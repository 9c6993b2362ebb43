// The manager's own listeners that a redirect rule sends traffic to. Incoming traffic keeps its
// destination address family and arrives on the pod's address, so one dual-stack listener takes
// it. Outgoing traffic is DNATed to loopback, so the listeners are bound to loopback only: the
// rest of the cluster cannot reach the user's machine through them.
import type { Server, Socket } from "node:net";
import { listenTcp } from "./listen.ts";
import type { RedirectRuleWithoutTable, RedirectTarget } from "./redirect-rules.ts";

export async function openRedirectListeners(options: {
  target: RedirectTarget;
  ipv6: boolean;
  onConnection: (socket: Socket) => void;
}): Promise<{ servers: Server[]; rule: RedirectRuleWithoutTable }> {
  const { target, ipv6, onConnection } = options;
  switch (target.direction) {
    case "incoming": {
      const listening = await listenTcp({ host: ipv6 ? "::" : "0.0.0.0", onConnection });
      return { servers: [listening.server], rule: { ...target, direction: "incoming", toPort: listening.port } };
    }
    case "outgoing": {
      const v4 = await listenTcp({ host: "127.0.0.1", onConnection });
      const v6 = ipv6 ? await listenTcp({ host: "::1", ipv6Only: true, onConnection }).catch(() => undefined) : undefined;
      return {
        servers: v6 ? [v4.server, v6.server] : [v4.server],
        rule: { ...target, direction: "outgoing", toPort4: v4.port, toPort6: v6?.port },
      };
    }
  }
}
