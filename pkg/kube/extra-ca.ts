// NODE_EXTRA_CA_CERTS, deferred. Node parses the file while it starts, which costs more than most
// kdiag commands, so the launcher (cmd/launcher.sh) moves it to KDIAG_EXTRA_CA_CERTS before Node
// starts. Node would have used it in one place only: a TLS connection verified against its own
// root store, which for kdiag is a cluster whose kubeconfig names no certificate authority (every
// other connection pins its authority: the kubeconfig's, or the manager's own certificate).

import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import type { Cluster } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";

/** The cluster, trusting Node's roots and the deferred file when it names no authority of its own. */
export function trustDeferredCertificates(cluster: Cluster, file: string | undefined): Cluster {
  if (!file || cluster.caFile || cluster.caData || cluster.skipTLSVerify) return cluster;
  let extra: string;
  try {
    extra = readFileSync(file, "utf8");
  } catch (error) {
    throw new KdiagError(`cannot read the certificates NODE_EXTRA_CA_CERTS names (${file}): ${(error as Error).message}`);
  }
  const bundle = [...rootCertificates, extra].join("\n");
  return { ...cluster, caData: Buffer.from(bundle).toString("base64") };
}
