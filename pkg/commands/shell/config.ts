// `shell`: a busybox ash running inside the target container's namespaces and root, started by
// the `enter` helper of kdiag's image. Pure: parsing and the exact command line are unit-tested.

import { toPodCommandConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";

/** Where the manager image keeps its helpers (see test/cluster/images/build.sh and Dockerfile). */
export const enterPath = "/opt/kdiag/enter";
export const ashPath = "/opt/kdiag/ash";

export interface ShellArgs extends PodCommandArgs {
  "--"?: Array<string | number>;
}

export interface ShellConfig extends PodCommandConfig {
  /** Arguments for ash, e.g. ["-c", "ls /"]; none for an interactive shell. */
  args: string[];
}

export function toShellConfig(argv: ShellArgs): ShellConfig {
  return { ...toPodCommandConfig(argv), args: (argv["--"] ?? []).map(String) };
}

/** `enter 1 ash ARGS…`: enter PID 1 of the shared pid namespace, which is the target's init. */
export function buildShellCommand(args: string[]): string[] {
  return [enterPath, "1", ashPath, ...args];
}
