// kubectl's kubeconfig flags laid over the chosen cluster and user, with client-go's precedence
// (clientcmd's DirectClientConfig): a flag replaces the kubeconfig's value, file or inline data.

import type { Cluster, User } from "@kubernetes/client-node";
import type { ClusterOverrides, UserOverrides } from "./options.ts";

export function applyClusterOverrides(cluster: Cluster, flags: ClusterOverrides): Cluster {
  let result: Cluster = { ...cluster };
  if (flags.server !== undefined) result = { ...result, server: flags.server };
  // --certificate-authority or --insecure-skip-tls-verify replace the kubeconfig's whole trust
  // setting: a CA given on the command line is not skipped, and skipping drops the CA.
  if (flags.certificateAuthority !== undefined || flags.insecureSkipTlsVerify) {
    result = { ...result, caFile: flags.certificateAuthority, caData: undefined, skipTLSVerify: flags.insecureSkipTlsVerify ?? false };
  }
  // A --server of its own clears the kubeconfig's tls-server-name, which named the old server.
  if (flags.tlsServerName !== undefined || flags.server !== undefined) {
    result = { ...result, tlsServerName: flags.tlsServerName };
  }
  return result;
}

export function applyUserOverrides(user: User, flags: UserOverrides): User {
  let result: User = { ...user };
  // A bearer token wins over an exec or auth-provider plugin, which client-go then does not run.
  if (flags.token !== undefined) result = { ...result, token: flags.token, exec: undefined, authProvider: undefined };
  if (flags.clientCertificate !== undefined) result = { ...result, certFile: flags.clientCertificate, certData: undefined };
  if (flags.clientKey !== undefined) result = { ...result, keyFile: flags.clientKey, keyData: undefined };
  return result;
}
