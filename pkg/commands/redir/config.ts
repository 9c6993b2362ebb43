// `kdiag redir` options turned into a checked configuration. Pure: no I/O, unit-tested.
import { UsageError } from "../../errors.ts";
import { toPodCommandConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";
import { parsePortPairs, type PortPair } from "./ports.ts";

export interface RedirConfig {
  /** Cluster, pod, target container, manager image; `quiet` drops the line per connection. */
  pod: PodCommandConfig;
  /** Empty: every non-loopback listening TCP port of the pod (incoming only). */
  ports: PortPair[];
  outgoing: boolean;
  /** A hostNetwork pod's network is the node's: redirect there only when asked. */
  redirectNodeTraffic: boolean;
}

export interface RedirArgv extends PodCommandArgs {
  ports?: (string | number)[];
  outgoing?: boolean;
  redirectNodeTraffic?: boolean;
}

export function toRedirConfig(argv: RedirArgv): RedirConfig {
  const pod = toPodCommandConfig(argv, "redir");
  const ports = parsePortPairs((argv.ports ?? []).map(String));
  const outgoing = argv.outgoing ?? false;
  if (outgoing && ports.length === 0) {
    throw new UsageError(
      "--outgoing needs the ports to take over (the pod's listening ports say nothing about where it connects), e.g. `redir --outgoing -l app=client 80:8080`",
    );
  }
  return { pod, ports, outgoing, redirectNodeTraffic: argv.redirectNodeTraffic ?? false };
}
