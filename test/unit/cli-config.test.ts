import assert from "node:assert/strict";
import { test } from "node:test";
import { toManageConfig } from "../../pkg/commands/manage/config.ts";
import { toPodCommandConfig } from "../../pkg/commands/pod-config.ts";
import { toPsConfig } from "../../pkg/commands/ps/config.ts";
import { buildShellCommand, privilegedProgramsWarning, toShellConfig } from "../../pkg/commands/shell/config.ts";
import { UsageError } from "../../pkg/errors.ts";
import { parseDuration } from "../../pkg/kube/duration.ts";
import { toKubeOptions } from "../../pkg/kube/options.ts";
import { getDefaultImage } from "../../pkg/version.ts";

const usage = (message: string) => (error: unknown) => error instanceof UsageError && error.message === message;

test("a shell on a selected pod gets the defaults: first container, default image, IfNotPresent, privileged, 2m", () => {
  assert.deepEqual(toShellConfig({ selector: "app=web" }), {
    kube: {
      kubeconfig: undefined,
      context: undefined,
      cluster: undefined,
      user: undefined,
      namespace: undefined,
      clusterOverrides: {},
      userOverrides: {},
      impersonate: { groups: [] },
      requestTimeoutMs: 0,
    },
    selection: { kind: "selector", selector: "app=web" },
    target: undefined,
    image: getDefaultImage(),
    pullPolicy: "IfNotPresent",
    profile: "auto",
    command: "shell",
    timeoutMs: 120_000,
    quiet: false,
    args: [],
    privilegedPrograms: false,
    wait: false,
  });
});

test("arguments after -- go to ash, numbers included, and the shell enters the target container by its ID", () => {
  const config = toShellConfig({ pod: "db-0", target: "second", "--": ["-c", "exit 7", 3] });
  assert.deepEqual(config.selection, { kind: "name", name: "db-0" });
  assert.equal(config.target, "second");
  assert.deepEqual(buildShellCommand({ ...config, enterTarget: "container:0123abcd4567", profile: "netadmin" }), [
    "/opt/kdiag/enter",
    "container:0123abcd4567",
    "/opt/kdiag/ash",
    "-c",
    "exit 7",
    "3",
  ]);
});

test("the target is entered by the container ID the pod's status gives, and one that is not running is one clear line", async () => {
  const { describeTargetForEnter } = await import("../../pkg/kube/target-container.ts");
  const pod = (state: object, containerID = "containerd://0123456789abcdef") => ({
    metadata: { name: "web-0" },
    status: { containerStatuses: [{ name: "web", containerID, state, lastState: { terminated: { exitCode: 2 } } }] },
  });
  assert.equal(describeTargetForEnter(pod({ running: {} }) as never, "web"), "container:0123456789abcdef");
  assert.throws(() => describeTargetForEnter(pod({ waiting: { reason: "CrashLoopBackOff" } }) as never, "web"), {
    message:
      "container `web` in pod `web-0` is not running (CrashLoopBackOff, last exit code 2); kdiag works beside a running container — try again once it runs, or see why with `kubectl logs web-0 -c web --previous`",
  });
});

test("--wait asks the shell to wait for a container that is not running", () => {
  assert.equal(toShellConfig({ pod: "api-0", wait: true }).wait, true);
});

test("--privileged-programs is passed to enter before the PID, and warns in one line what it does", () => {
  const config = toShellConfig({ pod: "db-0", privilegedPrograms: true, "--": ["-c", "curl -V"] });
  assert.equal(config.privilegedPrograms, true);
  assert.deepEqual(buildShellCommand({ ...config, enterTarget: "1", profile: "privileged" }), ["/opt/kdiag/enter", "--privileged-programs", "1", "/opt/kdiag/ash", "-c", "curl -V"]);
  assert.equal(
    privilegedProgramsWarning,
    "--privileged-programs: the container's own programs run as root with every capability of kdiag's container",
  );
});

test("cluster flags are carried through and --request-timeout is a duration", () => {
  const config = toPodCommandConfig({
    pod: "p",
    kubeconfig: "/tmp/k",
    context: "c",
    namespace: "ns",
    as: "system:serviceaccount:ns:viewer",
    requestTimeout: "1m30s",
    image: "example/kdiag:dev",
    pullPolicy: "Never",
    timeout: "45s",
    quiet: true,
  }, "ps");
  assert.deepEqual(config.kube, {
    kubeconfig: "/tmp/k",
    context: "c",
    cluster: undefined,
    user: undefined,
    namespace: "ns",
    clusterOverrides: {},
    userOverrides: {},
    impersonate: { user: "system:serviceaccount:ns:viewer", groups: [] },
    requestTimeoutMs: 90_000,
  });
  assert.equal(config.image, "example/kdiag:dev");
  assert.equal(config.pullPolicy, "Never");
  assert.equal(config.timeoutMs, 45_000);
  assert.equal(config.quiet, true);
});

test("--pod and -l together, or neither, are usage errors that say what to do", () => {
  assert.throws(() => toPodCommandConfig({ pod: "a", selector: "app=b" }, "ps"), usage("--pod and -l cannot be used together; choose one"));
  assert.throws(() => toPodCommandConfig({}, "ps"), usage("choose a pod with --pod NAME or -l SELECTOR"));
  assert.throws(() => toPodCommandConfig({ selector: " " }, "ps"), usage("-l needs a label selector, e.g. -l app=web"));
});

test("bad durations, pull policies and outputs name the flag and quote the value", () => {
  assert.throws(() => toPodCommandConfig({ pod: "p", timeout: "soon" }, "ps"), usage("--timeout `soon` is not a duration (examples: 30s, 2m, 1m30s, 500ms)"));
  assert.throws(() => toPodCommandConfig({ pod: "p", timeout: "0s" }, "ps"), usage("--timeout `0s` must be longer than 0s"));
  assert.throws(
    () => toPodCommandConfig({ pod: "p", pullPolicy: "Sometimes" }, "ps"),
    usage("--pull-policy `Sometimes` is not a pull policy; use one of IfNotPresent, Always, Never"),
  );
  assert.throws(() => toPsConfig({ pod: "p", output: "wide" }), usage("-o `wide` is not an output format; use one of table, json, yaml"));
  assert.throws(() => toKubeOptions({ requestTimeout: "1x" }), usage("--request-timeout `1x` is not a duration (examples: 30s, 2m, 1m30s, 500ms)"));
});

test("durations read as kubectl writes them; a bare number is seconds", () => {
  assert.equal(parseDuration("30", "--x"), 30_000);
  assert.equal(parseDuration("500ms", "--x"), 500);
  assert.equal(parseDuration("1h2m3s", "--x"), 3_723_000);
  assert.equal(parseDuration("0", "--x"), 0);
  assert.throws(() => parseDuration("", "--x"), UsageError);
  assert.throws(() => parseDuration("5 m", "--x"), UsageError);
});

test("ps defaults to a table; manage --port-forward takes a local port", () => {
  assert.equal(toPsConfig({ pod: "p" }).output, "table");
  assert.equal(toPsConfig({ pod: "p", output: "json" }).output, "json");
  assert.equal(toManageConfig({ pod: "p" }).portForward, undefined);
  assert.equal(toManageConfig({ pod: "p", portForward: "7000" }).portForward, 7000);
  assert.equal(toManageConfig({ pod: "p", portForward: 0 }).portForward, 0);
  assert.throws(
    () => toManageConfig({ pod: "p", portForward: "70000" }),
    usage("--port-forward `70000` is not a port; use a number from 1 to 65535 (0: any free port)"),
  );
});
