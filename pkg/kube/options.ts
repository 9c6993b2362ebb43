// The connection options every command shares, parsed once from the command line. Pure: no
// client-node here, so parsing stays cheap and unit-testable.

import { parseDuration } from "./duration.ts";

export interface KubeOptions {
  /** --kubeconfig: one file, used instead of KUBECONFIG and ~/.kube/config. */
  kubeconfig?: string;
  /** --context: a context of the kubeconfig instead of its current one. */
  context?: string;
  /** -n/--namespace: defaults to the context's namespace, then "default". */
  namespace?: string;
  /** --as: impersonate this user (e.g. system:serviceaccount:NS:NAME). */
  as?: string;
  /** --request-timeout in milliseconds; 0 means no timeout. */
  requestTimeoutMs: number;
}

export interface KubeArgs {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  as?: string;
  requestTimeout?: string;
}

export function toKubeOptions(argv: KubeArgs): KubeOptions {
  return {
    kubeconfig: nonEmpty(argv.kubeconfig),
    context: nonEmpty(argv.context),
    namespace: nonEmpty(argv.namespace),
    as: nonEmpty(argv.as),
    requestTimeoutMs: parseDuration(argv.requestTimeout ?? "0", "--request-timeout"),
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === "" ? undefined : value;
}
