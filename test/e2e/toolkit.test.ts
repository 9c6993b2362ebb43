// The shell's toolkit in a scratch pod: the network applets people type first work there, because
// kdiag's busybox is built against musl (scripts/build-busybox.sh). Debian's glibc busybox-static
// ends in a segmentation fault as soon as anything looks up a host or service through NSS.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { scratchPod, serverPod } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import { kdiag } from "./kdiag-cli.ts";

let ns: TestNamespace;
let otherIp: string;

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-toolkit");
  await apply(ns.name, [scratchPod({ name: "scratch" }), serverPod({ name: "other" })]);
  await waitForPods(ns.name, "app=scratch");
  await waitForPods(ns.name, "app=server");
  otherIp = await podIP(ns.name, "other");
});
after(async () => ns?.cleanup());

/** Runs `script` in the scratch pod's shell; every applet's exit status is printed after it. */
async function inShell(script: string): Promise<string> {
  const result = await kdiag(["shell", "-n", ns.name, "--pod", "scratch", "--", "-c", script]);
  assert.equal(result.exitCode, 0, String(result.stderr));
  return String(result.stdout);
}

test("in a scratch pod's shell, wget fetches another pod's page and nc finds its open port", async () => {
  const out = await inShell(`wget -qO- http://${otherIp}:8080/; echo "wget $?"; nc -z -w 3 ${otherIp} 8080; echo "nc $?"`);
  // execa strips the final newline.
  assert.equal(out, "hello from other\nwget 0\nnc 0");
});

test("ping and traceroute reach another pod; netstat and ip show the pod's own network", async () => {
  const out = await inShell(
    `ping -c1 -W3 ${otherIp} >/dev/null; echo "ping $?"; traceroute -m 2 -w 2 ${otherIp} >/dev/null; echo "traceroute $?"; ` +
      `netstat -tln | grep -c ':8080 '; ip addr show eth0 | grep -c 'inet '`,
  );
  assert.equal(out, "ping 0\ntraceroute 0\n1\n1");
});

test("nslookup answers a name from the pod's /etc/hosts (the kubelet writes the pod's own name there)", async () => {
  const scratchIp = await podIP(ns.name, "scratch");
  const out = await inShell(`nslookup scratch; echo "nslookup $?"`);
  // 139 would be 128 + SIGSEGV, what Debian's glibc busybox gave.
  assert.match(out, /^nslookup 0$/m);
  assert.match(out, new RegExp(`^Address 1: ${scratchIp.replaceAll(".", "\\.")} scratch$`, "m"));
});
