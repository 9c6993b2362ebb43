// `shell`: a busybox ash running inside the target container's namespaces and root, started by
// the `enter` helper of kdiag's image. Pure: parsing and the exact command line are unit-tested.

import type { Profile } from "../../kube/profiles.ts";
import { toPodCommandConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";

/** Where the manager image keeps its helpers (see test/cluster/images/build.sh and Dockerfile). */
export const enterPath = "/opt/kdiag/enter";
export const ashPath = "/opt/kdiag/ash";

export interface ShellArgs extends PodCommandArgs {
  privilegedPrograms?: boolean;
  wait?: boolean;
  "--"?: Array<string | number>;
}

export interface ShellConfig extends PodCommandConfig {
  /** Arguments for ash, e.g. ["-c", "ls /"]; none for an interactive shell. */
  args: string[];
  /**
   * --privileged-programs: the target's own programs run as root with every capability of kdiag's
   * container. Off: they run as the target's user with no capability (busybox applets keep them).
   */
  privilegedPrograms: boolean;
  /** --wait: a target that is not running is waited for (until Ctrl-C) instead of refused. */
  wait: boolean;
}

/** enter's exit code for its own failures (scratch-shell/enter.c EXIT_ENTER_FAILED). */
export const enterFailedExitCode = 125;

export const privilegedProgramsFlag = "--privileged-programs";

/** Printed on stderr (as `kdiag: warning: …`) when the user asks for --privileged-programs. */
export const privilegedProgramsWarning =
  `${privilegedProgramsFlag}: the container's own programs run as root with every capability of kdiag's container`;

export function toShellConfig(argv: ShellArgs): ShellConfig {
  return {
    ...toPodCommandConfig(argv, "shell"),
    args: (argv["--"] ?? []).map(String),
    privilegedPrograms: argv.privilegedPrograms ?? false,
    wait: argv.wait ?? false,
  };
}

/**
 * How enter reaches the target, by kdiag's profile (scratch-shell/README.md): privileged and
 * netadmin join its namespaces and root (`--privileged-programs`: as root, with every capability);
 * baseline only chroots into its root, as its own user (`--chroot`); restricted stays in kdiag's
 * own filesystem (`--own-root`). enter finds the target's main process by the container's ID.
 */
export function buildShellCommand(options: { enterTarget: string; args: string[]; privilegedPrograms: boolean; profile: Profile }): string[] {
  return [enterPath, ...enterFlags(options), options.enterTarget, ashPath, ...options.args];
}

function enterFlags(options: { privilegedPrograms: boolean; profile: Profile }): string[] {
  if (options.profile === "baseline") return ["--chroot"];
  if (options.profile === "restricted") return ["--own-root"];
  return options.privilegedPrograms ? [privilegedProgramsFlag] : [];
}

/** Whether enter's failures may be a capability the manager lacks (the profiles that join namespaces). */
export function joinsNamespaces(profile: Profile): boolean {
  return profile === "privileged" || profile === "netadmin";
}
