// `kubectl kdiag redir` on the project's cluster: a client pod's requests to a server pod (and,
// with --outgoing, the requests a client pod makes) reach a server on this machine while the
// command runs; after Ctrl-C the pod's rules are gone and the requests reach the real server.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { execa } from "execa";
import { serverPods, serverPort } from "../cluster/fixtures.ts";
import { apply, createNamespace, ensureCluster, kubectl, podIP, waitForPods, type TestNamespace } from "../cluster/kube.ts";
import type { Follower } from "../cluster/streams.ts";
import { startClient as startClientPod, waitForNextReply } from "./client-log.ts";
import { startLocalServer, type LocalServer } from "./local-server.ts";
import { getEphemeralContainers, userEnv } from "./kdiag-cli.ts";

let ns: TestNamespace;
let local: LocalServer;
const followers: Follower[] = [];

before(async () => {
  await ensureCluster();
  ns = await createNamespace("kdiag-e2e-redir");
  await apply(ns.name, serverPods());
  await waitForPods(ns.name, "app=server");
  local = await startLocalServer();
});
after(async () => {
  for (const follower of followers) await follower.stop();
  await local?.close();
  await ns?.cleanup();
});

/** `kubectl kdiag redir ARGS` running in the background, as a user leaves it in a terminal. */
function startRedir(args: string[]) {
  const child = execa("kubectl", ["kdiag", "redir", "-n", ns.name, ...args], { env: userEnv, reject: false, stdin: "ignore", all: true });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const waitFor = async (pattern: RegExp, timeoutMs = 90_000): Promise<RegExpExecArray> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const match = pattern.exec(output);
      if (match) return match;
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`redir never printed ${pattern}; it printed:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  return { child, waitFor, output: () => output };
}

/** What a reader of the pod's rules sees from inside kdiag's container: nft and iptables-save. */
async function readRules(pod: string): Promise<string> {
  const container = (await getEphemeralContainers(ns.name, pod)).find((name) => name.startsWith("kdiag-"));
  assert.ok(container, `kdiag's container in ${pod}`);
  const exec = (...argv: string[]) => kubectl(["-n", ns.name, "exec", pod, "-c", container, "--", ...argv]);
  const [nft, iptables] = await Promise.all([exec("nft", "list", "ruleset"), exec("iptables-save")]);
  return `${nft.stdout}\n${iptables.stdout}`;
}

async function startClient(name: string, target: string): Promise<Follower> {
  const log = await startClientPod(ns.name, name, target);
  followers.push(log);
  return log;
}

test("redir -l app=server sends a client pod's requests to my local server; after Ctrl-C its rules are gone and the real server answers", async () => {
  const redir = startRedir(["-l", "app=server", `${serverPort}:${local.port}`]);
  const [, pod = ""] = await redir.waitFor(new RegExp(`^redirecting port ${serverPort} of pod (\\S+) → localhost:${local.port}$`, "m"));
  const client = await startClient("client-in", `${await podIP(ns.name, pod)}:${serverPort}`);
  await waitForNextReply(client, "hello from local", "a reply from my local server");
  assert.ok(local.requests.length > 0);
  await redir.waitFor(new RegExp(`^connection from \\S+ to ${pod}:${serverPort} → localhost:${local.port}$`, "m"));
  assert.match(await readRules(pod), new RegExp(`dport ${serverPort}`));

  redir.child.kill("SIGINT");
  const result = await redir.child;
  assert.equal(result.exitCode, 0, redir.output());
  const rules = await readRules(pod);
  assert.doesNotMatch(rules, new RegExp(`dport ${serverPort}`), rules);
  assert.doesNotMatch(rules, new RegExp(`--dport ${serverPort}`), rules);
  await waitForNextReply(client, `hello from ${pod}`, "a reply from the real server again");
});

test("redir --outgoing sends the requests a client pod makes to my local server", async () => {
  const target = `${await podIP(ns.name, "server-1")}:${serverPort}`;
  const client = await startClient("client-out", target);
  await waitForNextReply(client, "hello from server-1", "the real server's reply first");
  const before = local.requests.length;
  const redir = startRedir(["--pod", "client-out", "--outgoing", `${serverPort}:${local.port}`]);
  await redir.waitFor(new RegExp(`^redirecting outgoing port ${serverPort} of pod client-out → localhost:${local.port}$`, "m"));
  await waitForNextReply(client, "hello from local", "a reply from my local server");
  assert.ok(local.requests.length > before);

  redir.child.kill("SIGINT");
  assert.equal((await redir.child).exitCode, 0, redir.output());
  const rules = await readRules("client-out");
  assert.doesNotMatch(rules, new RegExp(`dport ${serverPort}`), rules);
  await waitForNextReply(client, "hello from server-1", "the real server's reply again");
});
