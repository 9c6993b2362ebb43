// `kdiag redir` options turned into a checked configuration. Pure: no I/O, unit-tested.
import { UsageError } from "../errors.ts";
import { toPodSelection, type PodSelection } from "../kube/pod-selection.ts";
import { parsePortPairs, type PortPair } from "./ports.ts";

export interface RedirConfig {
  selection: PodSelection;
  /** -t: whose network namespace (any container's: a pod has one) and processes to use. */
  target?: string;
  /** Empty: every non-loopback listening TCP port of the pod (incoming only). */
  ports: PortPair[];
  outgoing: boolean;
  /** No line per redirected connection. */
  quiet: boolean;
}

export interface RedirArgv {
  pod?: string;
  selector?: string;
  target?: string;
  ports?: (string | number)[];
  outgoing?: boolean;
  quiet?: boolean;
}

export function toRedirConfig(argv: RedirArgv): RedirConfig {
  const selection = toPodSelection(argv);
  const ports = parsePortPairs((argv.ports ?? []).map(String));
  const outgoing = argv.outgoing ?? false;
  if (outgoing && ports.length === 0) {
    throw new UsageError(
      "--outgoing needs the ports to take over (the pod's listening ports say nothing about where it connects), e.g. `redir --outgoing -l app=client 80:8080`",
    );
  }
  const config: RedirConfig = { selection, ports, outgoing, quiet: argv.quiet ?? false };
  if (argv.target !== undefined) config.target = argv.target;
  return config;
}
