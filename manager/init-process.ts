// The manager's side of manager/native/kdiag-init.c, the image's entrypoint and the manager's
// parent: it exports its own path as KDIAG_INIT and, run as `kdiag-init --pdeathsig -- CMD`,
// starts CMD so the kernel SIGKILLs it when the manager dies (stopped or not), then reaps it.

export const initPathVariable = "KDIAG_INIT";

// kdiag-init's path when it started this manager; undefined otherwise (a developer's plain node).
export function findInit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env[initPathVariable];
  return path?.startsWith("/") ? path : undefined;
}

// `command` tied to the manager's life when kdiag-init is there to do it; as it is otherwise.
export function tieToManager(options: { init: string | undefined; command: string[] }): string[] {
  if (options.init === undefined) return options.command;
  return [options.init, "--pdeathsig", "--", ...options.command];
}

// The processes Ps leaves out (with their descendants): the manager and, when it started the
// manager, kdiag-init.
export function listOwnPids(options: { init: string | undefined; pid: number; ppid: number }): number[] {
  return options.init === undefined ? [options.pid] : [options.ppid, options.pid];
}
