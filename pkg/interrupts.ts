// Ctrl-C and SIGTERM as events a command handles (to clean up, pass them on, or end a drain)
// rather than as the end of the process.

export type InterruptListener = (handler: (signal: NodeJS.Signals) => void) => () => void;

const SIGNALS: readonly NodeJS.Signals[] = ["SIGINT", "SIGTERM"];

/** Calls `handler` on every SIGINT/SIGTERM until the returned function is called. */
export const onInterrupt: InterruptListener = (handler) => {
  for (const signal of SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of SIGNALS) process.off(signal, handler);
  };
};
