import assert from "node:assert/strict";
import { test } from "node:test";
import type { V1Pod } from "@kubernetes/client-node";
import {
  buildEphemeralPatch,
  buildManagerContainer,
  getBaseContainerName,
  planInjection,
  type ManagerSpec,
} from "../../pkg/kube/ephemeral.ts";

const spec: ManagerSpec = { version: "1.2.3", target: "app", image: "kdiag/manager:v1.2.3", pullPolicy: "IfNotPresent", profile: "privileged" };
const base = getBaseContainerName(spec);

function podWith(containers: Array<{ name: string; image?: string; state?: "running" | "waiting" | "terminated" }>): V1Pod {
  return {
    spec: {
      containers: [{ name: "app" }],
      ephemeralContainers: containers.map((c) => ({ name: c.name, image: c.image ?? spec.image })),
    },
    status: {
      ephemeralContainerStatuses: containers
        .filter((c) => c.state)
        .map((c) => ({
          name: c.name,
          image: c.image ?? spec.image,
          imageID: "",
          ready: false,
          restartCount: 0,
          state:
            c.state === "running"
              ? { running: {} }
              : c.state === "waiting"
                ? { waiting: { reason: "ContainerCreating" } }
                : { terminated: { exitCode: 1 } },
        })),
    },
  };
}

test("the container name is kdiag-<hash> of the version and the target, stable across calls", () => {
  assert.match(base, /^kdiag-[0-9a-f]{10}$/);
  assert.equal(getBaseContainerName({ version: "1.2.3", target: "app" }), base);
  assert.notEqual(getBaseContainerName({ version: "1.2.3", target: "second" }), base);
  assert.notEqual(getBaseContainerName({ version: "1.2.4", target: "app" }), base);
});

test("the manager container targets the container, is privileged and root whatever the pod's securityContext says, and uses the chosen image and policy", () => {
  assert.deepEqual(buildManagerContainer(spec, base), {
    name: base,
    image: "kdiag/manager:v1.2.3",
    imagePullPolicy: "IfNotPresent",
    targetContainerName: "app",
    securityContext: { privileged: true, runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, allowPrivilegeEscalation: true },
    terminationMessagePolicy: "FallbackToLogsOnError",
  });
});

test("the patch is a strategic merge body naming only our container", () => {
  const container = buildManagerContainer(spec, base);
  assert.deepEqual(buildEphemeralPatch(container), { spec: { ephemeralContainers: [container] } });
});

test("a pod without kdiag gets the base name", () => {
  assert.deepEqual(planInjection(podWith([]), spec), { kind: "add", name: base });
});

test("a running or still-starting manager is reused", () => {
  assert.deepEqual(planInjection(podWith([{ name: base, state: "running" }]), spec), { kind: "reuse", name: base });
  assert.deepEqual(planInjection(podWith([{ name: base, state: "waiting" }]), spec), { kind: "reuse", name: base });
  assert.deepEqual(planInjection(podWith([{ name: base }]), spec), { kind: "reuse", name: base });
});

test("a terminated manager is never waited on: a fresh one gets the next suffix", () => {
  assert.deepEqual(planInjection(podWith([{ name: base, state: "terminated" }]), spec), { kind: "add", name: `${base}-2` });
  assert.deepEqual(
    planInjection(podWith([{ name: base, state: "terminated" }, { name: `${base}-2`, state: "terminated" }]), spec),
    { kind: "add", name: `${base}-3` },
  );
  assert.deepEqual(
    planInjection(podWith([{ name: base, state: "terminated" }, { name: `${base}-2`, state: "running" }]), spec),
    { kind: "reuse", name: `${base}-2` },
  );
});

test("another image, or another target's container, is not reused", () => {
  assert.deepEqual(planInjection(podWith([{ name: base, image: "other:1", state: "running" }]), spec), {
    kind: "add",
    name: `${base}-2`,
  });
  const other = getBaseContainerName({ version: "1.2.3", target: "second" });
  assert.deepEqual(planInjection(podWith([{ name: other, state: "running" }]), spec), { kind: "add", name: base });
});

test("--profile netadmin: not privileged, root with the capabilities redirects and the shell need, in a container named for its profile", () => {
  const netadmin: ManagerSpec = { ...spec, profile: "netadmin" };
  const name = getBaseContainerName(netadmin);
  assert.match(name, /^kdiag-netadmin-[0-9a-f]{10}$/);
  assert.notEqual(name, base);
  assert.deepEqual(buildManagerContainer(netadmin, name).securityContext, {
    privileged: false,
    runAsUser: 0,
    runAsGroup: 0,
    runAsNonRoot: false,
    allowPrivilegeEscalation: true,
    capabilities: { add: ["NET_ADMIN", "NET_RAW", "SYS_ADMIN", "SYS_PTRACE", "SYS_CHROOT"] },
  });
  // A privileged container of the same target is not reused for netadmin, and the other way round.
  const pod = podWith([{ name: base, state: "running" }]);
  assert.deepEqual(planInjection(pod, netadmin), { kind: "add", name });
});
