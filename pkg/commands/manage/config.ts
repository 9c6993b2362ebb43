// `manage` (for development): ensure the manager runs, print where it is, and with
// --port-forward keep a local port forwarded to it so grpcurl can talk to it.

import { UsageError } from "../../errors.ts";
import { toPodCommandConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";

export interface ManageArgs extends PodCommandArgs {
  portForward?: number | string;
}

export interface ManageConfig extends PodCommandConfig {
  /** Local port to forward to the manager; undefined: print and exit. 0 picks a free port. */
  portForward?: number;
}

export function toManageConfig(argv: ManageArgs): ManageConfig {
  return { ...toPodCommandConfig(argv, "manage"), portForward: parseLocalPort(argv.portForward) };
}

function parseLocalPort(value: number | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`--port-forward \`${value}\` is not a port; use a number from 1 to 65535 (0: any free port)`);
  }
  return port;
}
