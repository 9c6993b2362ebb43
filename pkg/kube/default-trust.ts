// Node's default trust, made explicit: its bundled roots and the NODE_EXTRA_CA_CERTS file. Node
// parses that file while it starts, which costs more than most kdiag commands, so the launcher
// (cmd/launcher.sh) moves it to KDIAG_EXTRA_CA_CERTS before Node starts, and kdiag hands the
// certificates to what would have used them: a cluster whose kubeconfig names no authority of its
// own, and the root store (root-store.ts) where client-node dials an OIDC issuer or an https proxy.
// As Node does with that file, one that cannot be read is a warning, and what is not a
// certificate in it is skipped.

import { X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Cluster } from "@kubernetes/client-node";

/** Node's roots and the deferred file's certificates, as one PEM text. */
export function readDefaultTrust(extraFile: string | undefined, warn: (message: string) => void): string {
  return [...rootCertificates, ...readExtraCertificates(extraFile, warn)].join("\n");
}

/** The cluster, pinned to `defaultTrust` when it names no authority of its own. */
export function pinDefaultTrust(cluster: Cluster, defaultTrust: () => string): Cluster {
  if (cluster.caFile || cluster.caData || cluster.skipTLSVerify) return cluster;
  return { ...cluster, caData: Buffer.from(defaultTrust()).toString("base64") };
}

function readExtraCertificates(file: string | undefined, warn: (message: string) => void): string[] {
  if (!file) return [];
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    warn(`ignoring the certificates NODE_EXTRA_CA_CERTS names (${file}): ${(error as Error).message}`);
    return [];
  }
  // One block OpenSSL cannot read would cost every block after it, or the whole file.
  return [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)]
    .map(([block]) => block)
    .filter((block) => {
      try {
        new X509Certificate(block);
        return true;
      } catch {
        return false;
      }
    });
}
