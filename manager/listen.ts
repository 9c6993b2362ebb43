// Listening helpers shared by the redirect listener and the tunnels.
import { createServer, type Server, type Socket } from "node:net";
import { formatListenAddress } from "./listen-address.ts";

export function listenTcp(options: {
  host: string;
  ipv6Only?: boolean;
  onConnection: (socket: Socket) => void;
}): Promise<{ server: Server; port: number }> {
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, options.onConnection);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: 0, ipv6Only: options.ipv6Only ?? false }, () => {
      server.off("error", reject);
      const address = server.address();
      if (address === null || typeof address === "string") return reject(new Error("not a TCP listener"));
      resolve({ server, port: address.port });
    });
  });
}

// "10.88.0.7:51234", "[fd00::7]:51234"; IPv4 peers of a dual-stack listener lose their ::ffff: prefix.
export function formatPeer(socket: Socket): string {
  const host = (socket.remoteAddress ?? "?").replace(/^::ffff:(?=\d+\.)/, "");
  return formatListenAddress({ host, port: socket.remotePort ?? 0 });
}

// Does this network namespace have IPv6? Then one dual-stack listener on "::" takes both families.
export async function probeIpv6(): Promise<boolean> {
  try {
    const { server } = await listenTcp({ host: "::", onConnection: (socket) => socket.destroy() });
    server.close();
    return true;
  } catch {
    return false;
  }
}
