// Wires `kdiag rules` to the real world: the pod's manager over a port-forward — or, with --node,
// the manager of a host-network debug pod created on that node for this command and deleted when
// it ends — data on stdout, the question of --conntrack-delete on the terminal (only when stdin
// is one), and the Service of --service read from the API before anything is created.
import { createInterface } from "node:readline/promises";
import { onInterrupt } from "../../interrupts.ts";
import { createNetworkApi } from "../../kube/network-api.ts";
import { startNodeDebugPod } from "../../kube/node-debug.ts";
import { createManagerCalls } from "../../manager-call.ts";
import { connectManager, type ManagerConnection } from "../../manager-client.ts";
import { openKube, type Kube } from "../../manager-connection.ts";
import { createProgress, type Progress } from "../../output/progress.ts";
import type { PodCommandConfig } from "../pod-config.ts";
import type { RulesConfig } from "./config.ts";
import { runRules, type OpenedManager } from "./run.ts";
import { toServiceTarget, type ServiceRef } from "./service-target.ts";

export async function runRulesCommand(config: RulesConfig): Promise<number> {
  const progress = createProgress({ quiet: config.quiet });
  let kube: Kube | undefined;
  const openedKube = () => (kube ??= openKube(config));
  return runRules(config, {
    openManager: () => {
      const { place } = config;
      return place.kind === "pod" ? openPodManager({ ...config, selection: place.selection }, openedKube(), progress) : openNodeManager(config, place.node, openedKube(), progress);
    },
    findService: (ref) => findService(ref, openedKube()),
    stdout: process.stdout,
    stderr: process.stderr,
    progress,
    ...(process.stdin.isTTY ? { confirm: askOnTerminal } : {}),
  });
}

async function openPodManager(config: PodCommandConfig, kube: Kube, progress: Progress): Promise<OpenedManager> {
  const connection = await connectManager(config, kube, progress);
  return { place: { pod: connection.podName, namespace: kube.session.namespace }, calls: createManagerCalls(connection.client, connection), close: () => connection.close() };
}

/** A debug pod on NODE, kdiag's manager added to it as to any pod; both go when the command ends. */
async function openNodeManager(config: RulesConfig, node: string, kube: Kube, progress: Progress): Promise<OpenedManager> {
  const debugPod = await startNodeDebugPod({
    session: kube.session,
    node,
    image: config.image,
    pullPolicy: config.pullPolicy,
    timeoutMs: config.timeoutMs,
    progress,
    onInterrupt,
    exit: (code) => process.exit(code),
  });
  let connection: ManagerConnection;
  try {
    connection = await connectManager({ ...config, selection: { kind: "name", name: debugPod.name }, target: undefined }, kube, progress);
  } catch (error) {
    await debugPod.remove();
    throw error;
  }
  return {
    place: { pod: debugPod.name, namespace: kube.session.namespace, node },
    calls: createManagerCalls(connection.client, connection),
    close: async () => {
      try {
        await connection.close();
      } finally {
        await debugPod.remove();
      }
      // The pod is gone for good: so are its manager's credential and port, cached per pod UID.
      await connection.forget();
    },
  };
}

async function findService(ref: ServiceRef, kube: Kube) {
  const network = createNetworkApi(kube.session);
  const namespace = ref.namespace ?? kube.session.namespace;
  const [service, slices] = await Promise.all([network.getService(ref.name, namespace), network.listEndpointSlices(ref.name, namespace)]);
  return toServiceTarget(service, slices, ref.port);
}

async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^(y|yes)$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
