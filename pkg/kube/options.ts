// The connection options every command shares, parsed once from the command line: kubectl's
// kubeconfig flags with kubectl's meaning. Pure: no client-node here, so parsing stays cheap and
// unit-testable; config.ts applies them to the kubeconfig.

import { UsageError } from "../errors.ts";
import { parseDuration } from "./duration.ts";

/** Who the requests act as (--as, --as-group, --as-uid): the Impersonate-* headers. */
export interface Impersonation {
  user?: string;
  groups: string[];
  uid?: string;
}

/** Values that replace the kubeconfig's for the chosen cluster (as kubectl's flags do). */
export interface ClusterOverrides {
  server?: string;
  tlsServerName?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
}

/** Values that replace the kubeconfig's for the chosen user. */
export interface UserOverrides {
  token?: string;
  clientCertificate?: string;
  clientKey?: string;
}

export interface KubeOptions {
  /** --kubeconfig: one file, used instead of KUBECONFIG and ~/.kube/config. */
  kubeconfig?: string;
  /** --context: a context of the kubeconfig instead of its current one. */
  context?: string;
  /** --cluster, --user: the kubeconfig's cluster and user to use instead of the context's. */
  cluster?: string;
  user?: string;
  /** -n/--namespace: defaults to the context's namespace, then "default". */
  namespace?: string;
  clusterOverrides: ClusterOverrides;
  userOverrides: UserOverrides;
  impersonate: Impersonation;
  /** --request-timeout in milliseconds; 0 means no timeout. */
  requestTimeoutMs: number;
}

export interface KubeArgs {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  tlsServerName?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  token?: string;
  clientCertificate?: string;
  clientKey?: string;
  as?: string;
  asGroup?: string | string[];
  asUid?: string;
  requestTimeout?: string;
}

export function toKubeOptions(argv: KubeArgs): KubeOptions {
  const impersonate = toImpersonation(argv);
  const clusterOverrides = dropUndefined({
    server: nonEmpty(argv.server),
    tlsServerName: nonEmpty(argv.tlsServerName),
    certificateAuthority: nonEmpty(argv.certificateAuthority),
    insecureSkipTlsVerify: argv.insecureSkipTlsVerify || undefined,
  });
  if (clusterOverrides.insecureSkipTlsVerify && clusterOverrides.certificateAuthority) {
    // kubectl refuses this pair too: a CA that is never checked is a mistake, not a choice.
    throw new UsageError("--certificate-authority and --insecure-skip-tls-verify cannot be used together; choose one");
  }
  return {
    kubeconfig: nonEmpty(argv.kubeconfig),
    context: nonEmpty(argv.context),
    cluster: nonEmpty(argv.cluster),
    user: nonEmpty(argv.user),
    namespace: nonEmpty(argv.namespace),
    clusterOverrides,
    userOverrides: dropUndefined({
      token: nonEmpty(argv.token),
      clientCertificate: nonEmpty(argv.clientCertificate),
      clientKey: nonEmpty(argv.clientKey),
    }),
    impersonate,
    requestTimeoutMs: parseDuration(argv.requestTimeout ?? "0", "--request-timeout"),
  };
}

function toImpersonation(argv: KubeArgs): Impersonation {
  const groups = [argv.asGroup ?? []].flat().map(String).filter((group) => group !== "");
  const user = nonEmpty(argv.as);
  const uid = nonEmpty(argv.asUid);
  if (user === undefined && (groups.length > 0 || uid !== undefined)) {
    // The API server refuses groups or a UID without a user; say so before asking it.
    throw new UsageError(`${groups.length > 0 ? "--as-group" : "--as-uid"} needs --as: name the user to impersonate, e.g. --as jane`);
  }
  return dropUndefined({ user, groups, uid });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}

/** The object without its undefined fields, so configs compare and print cleanly. */
function dropUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}
