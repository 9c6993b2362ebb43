// The local cluster itself: every node is Ready, versions are the pinned ones, the locally built
// images are on every node, and PodSecurity admission is on.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { clusterNodeNames, createNamespace, ensureCluster, images, kubectl, kubeVersion, type TestNamespace } from "./kube.ts";

let ns: TestNamespace | undefined;

before(async () => {
  await ensureCluster();
});
after(async () => ns?.cleanup());

test("kubectl get nodes shows every node cluster:up started (kdiag-node, then kdiag-node-2, …) Ready", async () => {
  const { stdout } = await kubectl(["get", "nodes", "--no-headers", "-o", "custom-columns=NAME:.metadata.name,STATUS:.status.conditions[?(@.type==\"Ready\")].status"]);
  assert.deepEqual(stdout.trim().split("\n").map((line) => line.split(/\s+/)), clusterNodeNames().map((node) => [node, "True"]));
});

test(`kubectl version shows ${kubeVersion} for both the client and the server`, async () => {
  const { stdout } = await kubectl(["version", "-o", "json"]);
  const version = JSON.parse(stdout) as { clientVersion: { gitVersion: string }; serverVersion: { gitVersion: string } };
  assert.equal(version.clientVersion.gitVersion, kubeVersion);
  assert.equal(version.serverVersion.gitVersion, kubeVersion);
});

test("every node runs containerd and already holds the pause, server, busybox and client images", async () => {
  for (const nodeName of clusterNodeNames()) {
    const { stdout } = await kubectl(["get", "node", nodeName, "-o", "json"]);
    const node = JSON.parse(stdout) as {
      status: { nodeInfo: { containerRuntimeVersion: string; kubeletVersion: string }; images: { names: string[] | null }[] };
    };
    assert.match(node.status.nodeInfo.containerRuntimeVersion, /^containerd:\/\//);
    assert.equal(node.status.nodeInfo.kubeletVersion, kubeVersion);
    const names = node.status.images.flatMap((image) => image.names ?? []);
    for (const image of Object.values(images)) {
      assert.ok(names.some((name) => name.endsWith(`/${image}`)), `${image} is not on ${nodeName}: ${names.join(", ")}`);
    }
  }
});

test("a namespace labelled PodSecurity baseline refuses a privileged pod", async () => {
  ns = await createNamespace("kdiag-cluster-psa", { "pod-security.kubernetes.io/enforce": "baseline" });
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "privileged" },
    spec: {
      containers: [
        { name: "c", image: images.busybox, imagePullPolicy: "Never", securityContext: { privileged: true } },
      ],
    },
  };
  const result = await kubectl(["-n", ns.name, "apply", "-f", "-"], { input: JSON.stringify(pod), allowFailure: true });
  assert.equal(result.exitCode, 1);
  assert.match(
    result.stderr,
    /pods "privileged" is forbidden: violates PodSecurity "baseline:latest": privileged \(container "c" must not set securityContext\.privileged=true\)/,
  );
});
