// `kdiag redir`: one Redirect stream per port, all installed or none, bridged connections while
// they last, and every rule removed (streams cancelled and ended) before the CLI exits.
import type { Process } from "../../../api/gen/kdiag.ts";
import { KdiagError } from "../../errors.ts";
import type { InterruptListener } from "../../interrupts.ts";
import type { RedirConfig } from "./config.ts";
import { offerTunnels, type TunnelOffers, type TunnelStream } from "./connections.ts";
import type { TunnelSocket } from "../../../api/tunnel-bridge.ts";
import { choosePodPorts } from "./discover.ts";
import { describeManagerFailure, describeRedirect } from "../../manager-call.ts";
import type { PortPair } from "./ports.ts";
import { markStep } from "../../output/step-timings.ts";
import { startRedirect, type RedirectClient, type RedirectSession } from "./session.ts";

export interface RedirManager extends RedirectClient {
  /** A Tunnel call: carries one announced connection. */
  tunnel(): TunnelStream;
  listProcesses(): Promise<Process[]>;
  /** A round trip on the same connection: once it answers, the manager has seen our cancels. */
  ping(): Promise<void>;
}

export interface RedirDeps {
  podName: string;
  manager: RedirManager;
  dialLocal: (port: number) => Promise<TunnelSocket>;
  /** Data lines: each redirect set up, each connection. */
  print: (line: string) => void;
  warn: (message: string) => void;
  onInterrupt: InterruptListener;
  /** Why the port-forward to the manager last failed, if it did (explains UNAVAILABLE). */
  lastForwardError: () => unknown;
}

interface Active {
  pair: PortPair;
  session: RedirectSession;
  offers?: TunnelOffers;
}

type Outcome = { kind: "interrupted" } | { kind: "failed"; active: Active; error: unknown };

/** Returns 0 after Ctrl-C/SIGTERM with every redirect removed; throws when one fails. */
export async function runRedir(config: RedirConfig, deps: RedirDeps): Promise<number> {
  const pairs = config.ports.length > 0 ? config.ports : await discoverPorts(deps);
  let interrupt = () => {};
  const interrupted = new Promise<Outcome>((resolve) => (interrupt = () => resolve({ kind: "interrupted" })));
  const dispose = deps.onInterrupt(() => interrupt());
  const active: Active[] = pairs.map((pair) => {
    const entry: Active = { pair, session: startRedirect({ client: deps.manager, port: pair.podPort, outgoing: config.outgoing }) };
    // Tunnels are offered as soon as the rule is live, so the first connection finds one.
    void entry.session.ready.then(
      () =>
        (entry.offers = offerTunnels(pair, { port: pair.podPort, outgoing: config.outgoing }, {
          ...deps,
          openTunnel: () => deps.manager.tunnel(),
          report: (line) => (config.pod.quiet ? undefined : deps.print(line)),
        })),
      () => {},
    );
    return entry;
  });
  const failure = Promise.race(active.map((entry) => entry.session.ended.then((error): Outcome => ({ kind: "failed", active: entry, error }))));
  try {
    // Setting up: every rule installed, or the first failure (or Ctrl-C) undoes them all.
    // A rule that is refused shows as that stream's end (`failure`), with the pair it belongs to.
    const never = new Promise<never>(() => {});
    const setUp = Promise.all(active.map((entry) => entry.session.ready.catch(() => never))).then((): Outcome | undefined => undefined);
    const early = await Promise.race([setUp, failure, interrupted]);
    if (early === undefined) {
      markStep("redirects live");
      for (const { pair } of active) deps.print(describeSetUp(deps.podName, pair, config.outgoing));
    }
    const outcome = early ?? (await Promise.race([failure, interrupted]));
    await removeAll(active, deps);
    if (outcome.kind === "failed") {
      const { pair } = outcome.active;
      throw new KdiagError(
        describeManagerFailure(outcome.error, { kind: "redirect", port: pair.podPort, outgoing: config.outgoing }, deps) +
          (active.length > 1 ? "; the other redirects were removed too" : ""),
      );
    }
    return 0;
  } finally {
    dispose();
  }
}

async function discoverPorts(deps: RedirDeps): Promise<PortPair[]> {
  const pairs = choosePodPorts(await deps.manager.listProcesses());
  if (pairs.length === 0) {
    throw new KdiagError(
      `pod ${deps.podName} listens on no TCP port outside loopback; name the ports to redirect, e.g. \`kubectl kdiag redir --pod ${deps.podName} 8080\``,
    );
  }
  return pairs;
}

function describeSetUp(pod: string, pair: PortPair, outgoing: boolean): string {
  const what = describeRedirect({ pod, podPort: pair.podPort, outgoing });
  return `redirecting ${what} → localhost:${pair.localPort}`;
}

/** Cancels every stream and waits until each has ended: the manager removes a rule per stream. */
async function removeAll(active: Active[], deps: RedirDeps): Promise<void> {
  for (const { offers } of active) offers?.stop();
  for (const { session } of active) session.cancel();
  await Promise.all(active.map(({ session }) => session.ended));
  // The cancels travel on the connection ahead of this call; its answer means they arrived.
  await deps.manager.ping().catch(() => {});
}
