// The manager's side of manager/native/kdiag-init.c, the image's entrypoint and the manager's
// parent: it exports its own path as KDIAG_INIT and, run as `kdiag-init --pdeathsig PID -- CMD`,
// starts CMD so the kernel SIGKILLs it when the manager dies (stopped or not), then reaps it.

export const initPathVariable = "KDIAG_INIT";

// kdiag-init's path when it started this manager; undefined otherwise (a developer's plain node).
export function findInit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const path = env[initPathVariable];
  return path?.startsWith("/") ? path : undefined;
}

// `command` tied to the manager's life when kdiag-init is there to do it; as it is otherwise.
// `manager` is the pid the command must die with: kdiag-init checks it is still its parent once
// the death signal is set, so a manager that died in between is not missed.
export function tieToManager(options: { init: string | undefined; command: string[]; manager?: number }): string[] {
  if (options.init === undefined) return options.command;
  return [options.init, "--pdeathsig", String(options.manager ?? process.pid), "--", ...options.command];
}

// The processes Ps leaves out (with their descendants): the manager and, when it started the
// manager, kdiag-init.
export function listOwnPids(options: { init: string | undefined; pid: number; ppid: number }): number[] {
  return options.init === undefined ? [options.pid] : [options.ppid, options.pid];
}
