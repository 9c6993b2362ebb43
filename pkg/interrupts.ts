// Ctrl-C, SIGTERM and a closed terminal (SIGHUP) as events a command handles (to clean up, pass
// them on, or end a drain) rather than as the end of the process: what a command set up in the
// cluster (a node's debug pod, a redirect) must go however the user leaves.

export type InterruptListener = (handler: (signal: NodeJS.Signals) => void) => () => void;

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM", "SIGHUP"];

/** Calls `handler` on every SIGINT/SIGTERM/SIGHUP until the returned function is called. */
export const onInterrupt: InterruptListener = (handler) => {
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
};
