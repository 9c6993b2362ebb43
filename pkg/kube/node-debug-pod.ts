// The pod through which `rules --node NODE` reads a node's network namespace: on that node
// (nodeName, every taint tolerated), in the node's network (hostNetwork), running kdiag's image
// idle so that kdiag's manager can be added beside it as it is to any pod (privileged, or with
// --profile netadmin's capabilities, in the ephemeral container only). It ends itself after
// nodeDebugLifetimeSeconds should kdiag be killed before it deletes the pod. Pure; unit-tested.
import { randomBytes } from "node:crypto";
import type { V1Pod } from "@kubernetes/client-node";
import type { PullPolicy } from "./ephemeral.ts";

export const nodeDebugPrefix = "kdiag-node-debug-";
export const nodeDebugComponent = "kdiag-node-debug";
export const nodeDebugContainer = "idle";
/** Longer than any `rules --node` (a --conntrack-delete question included), short for a leftover. */
export const nodeDebugLifetimeSeconds = 900;

export function createNodeDebugPodName(): string {
  return `${nodeDebugPrefix}${randomBytes(3).toString("hex")}`;
}

export function buildNodeDebugPod(options: { name: string; node: string; image: string; pullPolicy: PullPolicy }): V1Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: options.name,
      labels: { "app.kubernetes.io/name": "kdiag", "app.kubernetes.io/component": nodeDebugComponent },
      annotations: { "kdiag/node": options.node },
    },
    spec: {
      nodeName: options.node,
      hostNetwork: true,
      dnsPolicy: "ClusterFirstWithHostNet",
      restartPolicy: "Never",
      activeDeadlineSeconds: nodeDebugLifetimeSeconds,
      terminationGracePeriodSeconds: 0,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      tolerations: [{ operator: "Exists" }],
      containers: [
        {
          name: nodeDebugContainer,
          image: options.image,
          imagePullPolicy: options.pullPolicy,
          // The image's static busybox, not its manager: the manager comes as kdiag's ephemeral container.
          command: ["/bin/busybox", "sleep", String(nodeDebugLifetimeSeconds)],
          securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
        },
      ],
    },
  };
}
