// The flags several commands share, defined once. The option objects are plain yargs option
// definitions so another command's builder can spread or reuse them.

import type { Argv, Options } from "yargs";
import { defaultTimeout } from "../pkg/commands/pod-config.ts";
import { pullPolicies } from "../pkg/kube/ephemeral.ts";
import { getDefaultImage } from "../pkg/version.ts";

const clusterGroup = "Cluster options:";

/** Registered once, globally: every command talks to a cluster the same way. */
export const globalOptions = {
  kubeconfig: { type: "string", requiresArg: true, group: clusterGroup, describe: "Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)" },
  context: { type: "string", requiresArg: true, group: clusterGroup, describe: "The kubeconfig context to use (default: its current context)" },
  namespace: { alias: "n", type: "string", requiresArg: true, group: clusterGroup, describe: "Namespace (default: the context's namespace)" },
  "request-timeout": { type: "string", requiresArg: true, group: clusterGroup, describe: "Give up on an API request after this long, e.g. 30s (0: never)", defaultDescription: "0" },
  as: { type: "string", requiresArg: true, group: clusterGroup, describe: "Act as this user, e.g. system:serviceaccount:NS:NAME (impersonation)" },
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
  "pull-policy": { type: "string", requiresArg: true, choices: pullPolicies, describe: "Pull policy of the manager image", defaultDescription: "IfNotPresent" },
  timeout: { type: "string", requiresArg: true, describe: "How long to wait for kdiag's container to start (image-pull errors end the wait at once)", defaultDescription: defaultTimeout },
} as const satisfies Record<string, Options>;

export function addGlobalOptions<T>(yargs: Argv<T>) {
  return yargs.options(globalOptions).global(Object.keys(globalOptions));
}

export function addPodOptions<T>(yargs: Argv<T>) {
  return yargs.options(podOptions).options(managerOptions);
}
