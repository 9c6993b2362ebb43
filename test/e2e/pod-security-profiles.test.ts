// kdiag where PodSecurity is enforced, with the default --profile auto: in a `baseline` namespace
// the shell chroots into the target's root as the target's own user, ps lists its server, redir
// refuses in one line naming the profile it needs, the pod shows nothing privileged, and the
// target's own processes cannot reach kdiag's manager (it runs as a uid of its own); in a
// `restricted` namespace ps works and the shell says exactly what it can and cannot do there.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { apply, createNamespace, ensureCluster, images, kubectl, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { errorLines, getEphemeralContainers, kdiag } from "./kdiag-cli.ts";

let baseline: TestNamespace;
let restricted: TestNamespace;

/**
 * The scratch server as uid/gid 1000 with a marker file mounted at /marker (a ConfigMap): what a
 * shell in the target's root sees, and kdiag's container could never have put there. Compliant
 * with `restricted`, so the same pod runs in both namespaces.
 */
function markedPod(marker: string): object[] {
  return [
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "marker" }, data: { text: marker } },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "app", labels: { app: "marked" } },
      spec: {
        nodeName: "kdiag-node",
        automountServiceAccountToken: false,
        terminationGracePeriodSeconds: 1,
        securityContext: { runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: "server",
            image: images.server,
            imagePullPolicy: "Never",
            args: ["8080"],
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } },
            volumeMounts: [{ name: "marker", mountPath: "/marker" }],
          },
        ],
        volumes: [{ name: "marker", configMap: { name: "marker" } }],
      },
    },
  ];
}

/**
 * A target with tools, as an attacker inside it would have: busybox sleeping as uid 1000, its
 * marker at /marker/text. From inside it the test tries to reach kdiag's manager.
 */
function busyPod(): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "busy", labels: { app: "busy" } },
    spec: {
      nodeName: "kdiag-node",
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      securityContext: { runAsUser: 1000, runAsGroup: 1000 },
      containers: [{ name: "app", image: images.busybox, imagePullPolicy: "Never", command: ["sleep", "3600"], volumeMounts: [{ name: "marker", mountPath: "/marker" }] }],
      volumes: [{ name: "marker", configMap: { name: "marker" } }],
    },
  };
}

/** The scratch server as its image runs it (root), no user in the spec: baseline admits it. */
function rootPod(): object {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "root", labels: { app: "root" } },
    spec: {
      nodeName: "kdiag-node",
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "server", image: images.server, imagePullPolicy: "Never", args: ["8080"] }],
    },
  };
}

before(async () => {
  await ensureCluster();
  [baseline, restricted] = await Promise.all([
    createNamespace("kdiag-e2e-psa-baseline", { "pod-security.kubernetes.io/enforce": "baseline" }),
    createNamespace("kdiag-e2e-psa-restricted", { "pod-security.kubernetes.io/enforce": "restricted" }),
  ]);
  await Promise.all([apply(baseline.name, [...markedPod("baseline-marker"), rootPod(), busyPod()]), apply(restricted.name, markedPod("restricted-marker"))]);
  await Promise.all([waitForPods(baseline.name, "app=marked"), waitForPods(baseline.name, "app=root"), waitForPods(baseline.name, "app=busy"), waitForPods(restricted.name, "app=marked")]);
});
after(async () => Promise.all([baseline?.cleanup(), restricted?.cleanup()]));

test("baseline: the shell (auto) enters the target's root as its user — its marker file, its server as PID 1", async () => {
  const result = await kdiag(["shell", "-n", baseline.name, "--pod", "app", "--", "-c", "cat /marker/text; echo; cat /proc/1/cmdline; echo; id -u; id -g; ls /"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const [marker, pid1, uid, gid, ...root] = String(result.stdout).split("\n");
  assert.equal(marker, "baseline-marker");
  assert.equal(pid1, "/server\u00008080\u0000");
  assert.deepEqual([uid, gid], ["1000", "1000"]);
  assert.ok(root.includes("server") && root.includes("marker"), `the target's root: ${root.join(" ")}`);
  assert.match(String(result.stderr), /^kdiag: profile baseline \(auto: netadmin is not admitted here; the shell by chroot into the target's root as its user, ps; not redir or rules\)$/m);
});

test("baseline: ps lists the target's server with its socket, reusing the same container", async () => {
  const ps = await kdiag(["ps", "-n", baseline.name, "--pod", "app"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +server +\S*8080\S* +\/server 8080$/m);
  assert.equal(ps.stderr, "", "a reused container: no profile note");
  const containers = await getEphemeralContainers(baseline.name, "app");
  assert.equal(containers.length, 1, containers.join(" "));
  assert.match(containers[0] ?? "", /^kdiag-baseline-[0-9a-f]{10}$/);
});

test("baseline: redir refuses in one line naming the profile it needs, and adds nothing", async () => {
  const before = await getEphemeralContainers(baseline.name, "app");
  const result = await kdiag(["redir", "-n", baseline.name, "--pod", "app", "8080:9"]);
  assert.notEqual(result.exitCode, 0);
  const lines = errorLines(result.stderr);
  assert.equal(lines.length, 1, String(result.stderr));
  assert.match(
    lines[0] ?? "",
    new RegExp(`^kdiag: redir needs kdiag's profile netadmin \\(or privileged\\), which pod \`app\` in namespace \`${baseline.name}\` does not admit: namespace \`${baseline.name}\` enforces PodSecurity \`baseline\``),
  );
  const explicit = await kdiag(["redir", "-n", baseline.name, "--pod", "app", "--profile", "baseline", "8080:9"]);
  assert.equal(explicit.exitCode, 2);
  assert.match(String(explicit.stderr), /^kdiag: redir needs --profile netadmin \(or privileged\): baseline cannot change or read the pod's netfilter rules \(NET_ADMIN\)$/m);
  assert.deepEqual(await getEphemeralContainers(baseline.name, "app"), before);
});

test("baseline: the pod shows the profile's securityContext — a uid of kdiag's own, SETUID, SETGID and SYS_CHROOT — and nothing privileged", async () => {
  const { stdout } = await kubectl(["-n", baseline.name, "get", "pod", "app", "-o", "json"]);
  const pod = JSON.parse(stdout) as { spec: { ephemeralContainers: Array<{ securityContext: { runAsUser: number } }> } };
  const uid = pod.spec.ephemeralContainers[0]?.securityContext.runAsUser ?? 0;
  assert.ok(uid >= 2_000_000_000 && uid < 2_100_000_000, `kdiag's own uid, not the target's 1000: ${uid}`);
  assert.deepEqual(pod.spec.ephemeralContainers[0]?.securityContext, {
    allowPrivilegeEscalation: true,
    capabilities: { add: ["SETUID", "SETGID", "SYS_CHROOT"], drop: ["ALL"] },
    privileged: false,
    runAsGroup: uid,
    runAsNonRoot: true,
    runAsUser: uid,
  });
  const { stdout: yaml } = await kubectl(["-n", baseline.name, "get", "pod", "app", "-o", "yaml"]);
  assert.doesNotMatch(yaml, /privileged: true|hostPID|hostNetwork|hostIPC|SYS_ADMIN|NET_ADMIN/);
});

test("baseline: a target whose user the spec does not name (root here) gets a root container with the runtime's defaults, and the shell enters its root", async () => {
  const result = await kdiag(["shell", "-n", baseline.name, "--pod", "root", "--", "-c", "ls /; cat /proc/1/cmdline; echo; id -u"]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const lines = String(result.stdout).split("\n");
  assert.ok(lines.includes("server"), `the target's root: ${result.stdout}`);
  assert.deepEqual(lines.slice(-2), ["/server\u00008080\u0000", "0"], "its PID 1, and the shell runs as root, as the target does");
  const { stdout } = await kubectl(["-n", baseline.name, "get", "pod", "root", "-o", "jsonpath={.spec.ephemeralContainers[0].securityContext}"]);
  assert.deepEqual(JSON.parse(stdout), { allowPrivilegeEscalation: true, capabilities: { add: ["SYS_CHROOT"] }, privileged: false, runAsNonRoot: false, runAsUser: 0 });
});

test("baseline: a process of the target cannot read kdiag's credential or open the manager's memory, and the shell still enters the target as its user", async () => {
  const shell = await kdiag(["shell", "-n", baseline.name, "--pod", "busy", "--", "-c", "cat /marker/text; echo; cat /proc/1/cmdline; echo; id -u; id -g"]);
  assert.equal(shell.exitCode, 0, String(shell.stderr));
  assert.deepEqual(String(shell.stdout).split("\n"), ["baseline-marker", "sleep\u00003600\u0000", "1000", "1000"]);
  const [container] = await getEphemeralContainers(baseline.name, "busy");
  const { stdout: uidText } = await kubectl(["-n", baseline.name, "get", "pod", "busy", "-o", `jsonpath={.spec.ephemeralContainers[0].securityContext.runAsUser}`]);
  const credential = `/tmp/kdiag-${uidText}/credential.json`;
  // The manager (and kdiag-init, its parent) as the target sees them: their command lines are public.
  const findManager = "for p in /proc/[0-9]*; do [ $p = /proc/$$ ] || ! grep -q /opt/kdiag/manager.js $p/cmdline 2>/dev/null || echo ${p#/proc/}; done";
  const { stdout: pidsText } = await kubectl(["-n", baseline.name, "exec", "busy", "-c", "app", "--", "sh", "-c", findManager]);
  const pids = pidsText.trim().split("\n").filter(Boolean);
  assert.equal(pids.length, 2, `kdiag-init and the manager, seen from the target: ${pidsText}`);
  // The credential is there, for kdiag's own uid (what the CLI reads through exec).
  await kubectl(["-n", baseline.name, "exec", "busy", "-c", String(container), "--", "/bin/busybox", "test", "-r", credential]);
  const attack = pids
    .map((pid) => [
      `cat /proc/${pid}/root${credential} >/dev/null 2>&1 && echo "${pid} credential: read" || echo "${pid} credential: denied"`,
      `ls /proc/${pid}/root/tmp >/dev/null 2>&1 && echo "${pid} root: listed" || echo "${pid} root: denied"`,
      `(exec 3</proc/${pid}/mem) 2>/dev/null && echo "${pid} mem: opened" || echo "${pid} mem: denied"`,
      `ls /proc/${pid}/fd >/dev/null 2>&1 && echo "${pid} fds: listed" || echo "${pid} fds: denied"`,
    ].join("; "))
    .join("; ");
  const { stdout: attempts } = await kubectl(["-n", baseline.name, "exec", "busy", "-c", "app", "--", "sh", "-c", `id -u; ${attack}`]);
  assert.deepEqual(attempts.trim().split("\n"), ["1000", ...pids.flatMap((pid) => [`${pid} credential: denied`, `${pid} root: denied`, `${pid} mem: denied`, `${pid} fds: denied`])]);
  // The same attempts as the manager's own uid (what a target sharing it could do) all succeed.
  const { stdout: asKdiag } = await kubectl(["-n", baseline.name, "exec", "busy", "-c", String(container), "--", "/bin/busybox", "sh", "-c", attack]);
  assert.deepEqual(asKdiag.trim().split("\n"), pids.flatMap((pid) => [`${pid} credential: read`, `${pid} root: listed`, `${pid} mem: opened`, `${pid} fds: listed`]));
  const ps = await kdiag(["ps", "-n", baseline.name, "--pod", "busy"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +sleep +.*sleep 3600$/m);
});

test("restricted: ps works with a container that has no capability at all", async () => {
  const ps = await kdiag(["ps", "-n", restricted.name, "--pod", "app"]);
  assert.equal(ps.exitCode, 0, String(ps.stderr));
  assert.match(String(ps.stdout), /^1 +0 +server +\S*8080\S* +\/server 8080$/m);
  assert.match(
    String(ps.stderr),
    /^kdiag: profile restricted \(auto: netadmin is not admitted here; ps, and a shell in kdiag's own filesystem; not redir or rules; processes of kdiag's uid \(the target's, or 65534\) in the pod can read and drive its manager\)$/m,
  );
  const { stdout } = await kubectl(["-n", restricted.name, "get", "pod", "app", "-o", "jsonpath={.spec.ephemeralContainers[0].securityContext}"]);
  assert.deepEqual(JSON.parse(stdout), {
    allowPrivilegeEscalation: false,
    capabilities: { drop: ["ALL"] },
    privileged: false,
    runAsGroup: 1000,
    runAsNonRoot: true,
    runAsUser: 1000,
    seccompProfile: { type: "RuntimeDefault" },
  });
});

test("restricted: the shell runs in kdiag's own filesystem, reads the target's root through /proc, and says what it cannot do", async () => {
  const result = await kdiag(["shell", "-n", restricted.name, "--pod", "app", "--", "-c", 'cat "$KDIAG_TARGET_ROOT/marker/text"; echo; ls . | tr "\\n" " "; echo; ls /opt/kdiag | head -1; grep CapEff /proc/self/status']);
  assert.equal(result.exitCode, 0, String(result.stderr));
  const [marker, cwd, own, capabilities] = String(result.stdout).split("\n");
  assert.equal(marker, "restricted-marker");
  assert.ok(cwd?.split(" ").includes("marker") && cwd.split(" ").includes("server"), `the current directory is the target's root: ${cwd}`);
  assert.equal(own, "ash", "/ is kdiag's own filesystem");
  assert.match(capabilities ?? "", /^CapEff:\s+0+$/);
  const notes = String(result.stderr).split("\n").filter((line) => line.startsWith("kdiag: "));
  assert.deepEqual(notes.map((line) => line.replace(/\/proc\/\d+\/root/, "/proc/N/root")), [
    "kdiag: profile restricted: a shell in kdiag's own container (busybox, uid 1000), not in the target's root; the target's files are in /proc/N/root ($KDIAG_TARGET_ROOT, the current directory)",
    "kdiag: unavailable with no capabilities: the target's root as / and its programs as it runs them (--profile baseline), redir and rules (--profile netadmin)",
  ]);
  assert.equal((await getEphemeralContainers(restricted.name, "app")).length, 1, "the shell reused ps's container");
});
