// The flags several commands share, defined once. The option objects are plain yargs option
// definitions so another command's builder can spread or reuse them.

import type { Argv, Options } from "yargs";
import { defaultTimeout } from "../pkg/commands/pod-config.ts";
import { pullPolicies } from "../pkg/kube/ephemeral.ts";
import { profileChoices } from "../pkg/kube/profiles.ts";
import { getDefaultImage } from "../pkg/version.ts";

// Filled by offerChoices as the option objects below are built.
const offeredChoices = new WeakMap<object, readonly string[]>();

const clusterGroup = "Cluster options:";

/**
 * Registered once, globally: every command talks to a cluster the same way, with kubectl's flags
 * and their meaning (pkg/kube/options.ts parses them, pkg/kube/config.ts applies them).
 */
export const globalOptions = {
  kubeconfig: { type: "string", requiresArg: true, group: clusterGroup, describe: "Path to the kubeconfig file (default: the KUBECONFIG list, then ~/.kube/config)" },
  context: { type: "string", requiresArg: true, group: clusterGroup, describe: "The kubeconfig context to use (default: its current context)" },
  cluster: { type: "string", requiresArg: true, group: clusterGroup, describe: "The kubeconfig cluster to use (default: the context's)" },
  user: { type: "string", requiresArg: true, group: clusterGroup, describe: "The kubeconfig user to use (default: the context's)" },
  namespace: { alias: "n", type: "string", requiresArg: true, group: clusterGroup, describe: "Namespace (default: the context's namespace)" },
  server: { alias: "s", type: "string", requiresArg: true, group: clusterGroup, describe: "Address of the API server, e.g. https://10.0.0.1:6443" },
  "tls-server-name": { type: "string", requiresArg: true, group: clusterGroup, describe: "Server name to check the server's certificate against (default: the server's host name)" },
  "certificate-authority": { type: "string", requiresArg: true, group: clusterGroup, describe: "Path to the CA certificate file that signed the server's certificate" },
  "insecure-skip-tls-verify": { type: "boolean", group: clusterGroup, describe: "Do not check the server's certificate (insecure)" },
  token: { type: "string", requiresArg: true, group: clusterGroup, describe: "Bearer token for the API server (wins over the kubeconfig user's credentials)" },
  "client-certificate": { type: "string", requiresArg: true, group: clusterGroup, describe: "Path to a client certificate file for TLS" },
  "client-key": { type: "string", requiresArg: true, group: clusterGroup, describe: "Path to the client certificate's key file" },
  as: { type: "string", requiresArg: true, group: clusterGroup, describe: "Act as this user, e.g. system:serviceaccount:NS:NAME (impersonation)" },
  "as-group": { type: "string", array: true, requiresArg: true, group: clusterGroup, describe: "Act as a member of this group (repeatable; needs --as)" },
  "as-uid": { type: "string", requiresArg: true, group: clusterGroup, describe: "Act with this UID (needs --as)" },
  "request-timeout": { type: "string", requiresArg: true, group: clusterGroup, describe: "Give up on an API request, or on opening a stream, after this long: 30s, 1m, 5 (seconds); 0: never", defaultDescription: "0" },
  quiet: { alias: "q", type: "boolean", describe: "No progress messages on stderr" },
} as const satisfies Record<string, Options>;

/** One pod and one of its containers. */
export const podOptions = {
  pod: { type: "string", requiresArg: true, describe: "The pod, by name" },
  selector: { alias: "l", type: "string", requiresArg: true, describe: "The newest Running pod matching this label selector" },
  target: { alias: "t", type: "string", requiresArg: true, describe: "Container to work in (default: the pod's first container)" },
} as const satisfies Record<string, Options>;

/** How kdiag's manager is run in the pod. */
export const managerOptions = {
  image: { type: "string", requiresArg: true, describe: "Image of kdiag's manager", defaultDescription: getDefaultImage() },
  "pull-policy": offerChoices(pullPolicies, { type: "string", requiresArg: true, describe: `Pull policy of the manager image: ${describeChoices(pullPolicies)}`, defaultDescription: "IfNotPresent" }),
  profile: offerChoices(profileChoices, {
    type: "string",
    requiresArg: true,
    describe: `What kdiag's container may do: ${describeChoices(profileChoices)} (auto: the weakest that serves the command and that the namespace admits, by a server-side dry run; see README's profiles)`,
    defaultDescription: "auto",
  }),
  timeout: { type: "string", requiresArg: true, describe: "How long to wait for kdiag's container to start (image-pull errors end the wait at once)", defaultDescription: defaultTimeout },
} as const satisfies Record<string, Options>;

/**
 * A flag whose values are a fixed list, offered by completion (cmd/completion reads them back with
 * getOfferedChoices). Not yargs' `choices`, for the reason describeChoices gives.
 */
export function offerChoices<T extends Options>(choices: readonly string[], option: T): T {
  offeredChoices.set(option, choices);
  return option;
}

export function getOfferedChoices(option: unknown): readonly string[] | undefined {
  return typeof option === "object" && option !== null ? offeredChoices.get(option) : undefined;
}

/**
 * The choices of a flag, for its help text. Not yargs' `choices`: yargs would refuse other values
 * before the command's toConfig, which is the one validator (it also accepts `always`).
 */
export function describeChoices(choices: readonly string[]): string {
  return choices.join(", ");
}

export function addGlobalOptions<T>(yargs: Argv<T>) {
  return yargs.options(globalOptions).global(Object.keys(globalOptions));
}

export function addPodOptions<T>(yargs: Argv<T>) {
  return yargs.options(podOptions).options(managerOptions);
}
