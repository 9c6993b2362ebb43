// The source pods: every Running pod named by --pod, matched by an -l, or (--all) in the
// namespace, each once, in name order. A named pod that is not Running is refused by name.
import type { V1Pod } from "@kubernetes/client-node";
import { KdiagError } from "../../errors.ts";
import type { PodApi } from "../../kube/pod-api.ts";
import { isRunning, requireRunning } from "../../kube/pod-selection.ts";
import { rejectMissingNamespace } from "../../kube/select-pod.ts";
import type { SourceChoice } from "./config.ts";
import type { SourcePod } from "./plan.ts";

export async function findSourcePods(api: PodApi, choice: SourceChoice): Promise<Array<{ pod: V1Pod; source: SourcePod }>> {
  const named = await Promise.all(choice.pods.map(async (name) => requireRunning(await api.getPod(name))));
  const selected = await Promise.all(
    [...choice.selectors, ...(choice.all ? [""] : [])].map(async (selector) => {
      const running = (await api.listPods(selector)).filter(isRunning);
      if (running.length === 0 && selector !== "") {
        await rejectMissingNamespace(api);
        throw new KdiagError(`no Running pod matches -l \`${selector}\` in namespace \`${api.namespace}\``);
      }
      return running;
    }),
  );
  const byName = new Map<string, V1Pod>();
  for (const pod of [...named, ...selected.flat()]) byName.set(pod.metadata?.name ?? "", pod);
  if (byName.size === 0) {
    await rejectMissingNamespace(api);
    throw new KdiagError(`no Running pod in namespace \`${api.namespace}\` to reach from`);
  }
  return [...byName.values()]
    .sort((a, b) => (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""))
    .map((pod) => ({ pod, source: describeSource(pod, api.namespace) }));
}

function describeSource(pod: V1Pod, namespace: string): SourcePod {
  const name = pod.metadata?.name ?? "";
  const ip = pod.status?.podIP;
  if (!ip) throw new KdiagError(`pod \`${name}\` has no IP yet; try again once it has one`);
  return { namespace, name, node: pod.spec?.nodeName ?? "?", ip };
}
