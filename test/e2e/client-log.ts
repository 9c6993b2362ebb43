// A client pod asking a target every 0.3 s, followed through its log: the redirect stories watch
// whose answer it gets before, while and after a redirect.
import { clientPod } from "../cluster/fixtures.ts";
import { apply, waitForPods } from "../cluster/kube.ts";
import { follow, type Follower } from "../cluster/streams.ts";

/** Starts client pod NAME asking http://TARGET/ and follows its log; stop the follower when done. */
export async function startClient(namespace: string, name: string, target: string): Promise<Follower> {
  await apply(namespace, [clientPod({ name, target, intervalSeconds: 0.3 })]);
  await waitForPods(namespace, `pod/${name}`);
  return follow(["-n", namespace, "logs", "-f", name]);
}

/** Waits for a line with `text` among the replies that come after what the log shows now. */
export async function waitForNextReply(log: Follower, text: string, what: string): Promise<void> {
  const seen = (await log.waitFor(() => true, "output")).length;
  await log.waitFor((output) => output.slice(seen).includes(text), what, 60_000);
}
