// KDIAG_TIMINGS=1 prints, on stderr, the time since the process started at each step of a
// command (modules loaded, kubeconfig read, pod read, manager ready, connected…), to see where a
// slow command spends its time. Off, a step costs one comparison.

const enabled = process.env.KDIAG_TIMINGS === "1";

export function markStep(step: string): void {
  if (enabled) process.stderr.write(`[timing] ${performance.now().toFixed(1).padStart(8)} ms  ${step}\n`);
}
