// Node's default trust, made explicit: its bundled roots and the NODE_EXTRA_CA_CERTS file. Node
// parses that file while it starts, which costs more than most kdiag commands, so the launcher
// (cmd/launcher.sh) moves it to KDIAG_EXTRA_CA_CERTS before Node starts, and kdiag hands the
// text to the connections that would have used it: a cluster whose kubeconfig names no authority
// of its own, and the root store (root-store.ts) where client-node dials an OIDC issuer or an
// https proxy. Every other connection pins its authority: the kubeconfig's, or the manager's own
// certificate.

import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Cluster } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";

/** Node's roots and the deferred file's certificates, as one PEM text. */
export function readDefaultTrust(extraFile: string | undefined): string {
  if (!extraFile) return rootCertificates.join("\n");
  let extra: string;
  try {
    extra = readFileSync(extraFile, "utf8");
  } catch (error) {
    throw new KdiagError(`cannot read the certificates NODE_EXTRA_CA_CERTS names (${extraFile}): ${(error as Error).message}`);
  }
  return [...rootCertificates, extra].join("\n");
}

/** The cluster, pinned to Node's default trust when it names no authority of its own. */
export function pinDefaultTrust(cluster: Cluster, defaultTrust: () => string): Cluster {
  if (cluster.caFile || cluster.caData || cluster.skipTLSVerify) return cluster;
  return { ...cluster, caData: Buffer.from(defaultTrust()).toString("base64") };
}
