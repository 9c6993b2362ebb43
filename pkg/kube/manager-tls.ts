// One connection to the manager: a port-forward to its port, then mutual TLS: we trust exactly the
// certificate from the manager's credential and present the client certificate from it. A
// process of the pod that answered on the port in the manager's place cannot complete the
// handshake, so it is never sent the token.
import tls from "node:tls";
import type { Duplex } from "node:stream";
import { KdiagError } from "../errors.ts";
import type { ManagerCredential } from "./manager-credential.ts";

export interface ManagerTlsTarget {
  /** A fresh port-forwarded connection to the manager's port. */
  forward: () => Promise<Duplex>;
  credential: Pick<ManagerCredential, "certificate" | "clientCertificate" | "clientKey">;
  /** For messages. */
  pod: string;
}

export async function connectManagerTls(target: ManagerTlsTarget): Promise<tls.TLSSocket> {
  const socket = await target.forward();
  return new Promise((resolve, reject) => {
    const secure = tls.connect({
      socket,
      ca: [target.credential.certificate],
      cert: target.credential.clientCertificate,
      key: target.credential.clientKey,
      // The pin is the trust: the certificate names no host, so there is no name to check.
      checkServerIdentity: () => undefined,
      ALPNProtocols: ["h2"],
    });
    const fail = (error: Error): void => {
      socket.destroy();
      // The port-forward itself failed (the manager is gone, say): that is the news, not TLS.
      if (error instanceof KdiagError) return reject(error);
      reject(
        new KdiagError(`kdiag's manager in pod \`${target.pod}\` did not prove itself with its certificate (${error.message})`, {
          cause: error,
        }),
      );
    };
    // A port-forward that fails (nothing listens on the port: a stale cached port, say) says so
    // on the forwarded stream, which TLS does not listen to.
    socket.once("error", fail);
    secure.once("error", fail);
    secure.once("secureConnect", () => {
      secure.off("error", fail);
      socket.off("error", fail);
      socket.on("error", (error) => secure.destroy(error));
      resolve(secure);
    });
  });
}
