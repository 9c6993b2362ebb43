// A hostNetwork pod shares the node's network namespace: a redirect there would take the node's
// own traffic for the port (kubelet's, other pods' host ports, the node's services). Refused
// unless the user says so with a flag whose name says it, before kdiag adds anything to the pod.
import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";
import type { RedirConfig } from "./config.ts";

export function refuseNodeNetwork(pod: V1Pod, config: Pick<RedirConfig, "redirectNodeTraffic">): void {
  if (!pod.spec?.hostNetwork || config.redirectNodeTraffic) return;
  const name = pod.metadata?.name ?? "the pod";
  throw new KdiagError(
    `pod ${name} uses the node's network (hostNetwork), so a redirect would take the node's own traffic; pass --redirect-node-traffic if that is what you want`,
  );
}
