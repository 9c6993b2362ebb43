// Wires the manager together: leftover clean-up, kdiag's nftables table, the gRPC server, the
// "Listening on" line the CLI waits for, and a clean exit on SIGTERM/SIGINT.
import { status } from "@grpc/grpc-js";
import { readMissingCapabilities } from "./capabilities.ts";
import { loadDescriptor } from "./descriptor.ts";
import { createConntrackHandler } from "./conntrack.ts";
import { createCredential } from "./credential.ts";
import { findInit, listOwnPids } from "./init-process.ts";
import { removeLeftoverTables, type LeftoverReport } from "./leftovers.ts";
import { formatListenAddress, type ListenAddress } from "./listen-address.ts";
import { probeIpv6 } from "./listen.ts";
import type { Log } from "./log.ts";
import { describePod } from "./pod-info.ts";
import { readForeignSocketInodes } from "./foreign-sockets.ts";
import { listProcesses } from "./processes.ts";
import { createReachHandler } from "./reach.ts";
import { RedirectRules, restartAttempts } from "./redirect-rules.ts";
import { Redirects } from "./redirects.ts";
import { createRulesHandler } from "./rules.ts";
import { startServer } from "./server.ts";
import { getVersion } from "./version.ts";

const shutdownDeadlineMs = 5_000;

export async function runManager(options: { listen: ListenAddress; credentialFile: string; log: Log }): Promise<void> {
  const { log } = options;
  // A closed stdout (log collector gone) must not take redirects down with an EPIPE.
  process.stdout.on("error", () => {});
  // Read once: a manager's capabilities do not change while it runs.
  const missingCapabilities = await readMissingCapabilities();
  // The baseline and restricted profiles have no NET_ADMIN: nft could only fail, slowly.
  const canRedirect = !missingCapabilities.some((entry) => entry.feature === "redirects");
  const noNetAdmin = new Error("kdiag's container has no CAP_NET_ADMIN (profile baseline or restricted)");
  // Before our own table exists, so there is no risk of removing it.
  const leftovers = canRedirect ? await removeLeftoverTables().catch((error: Error) => error) : noNetAdmin;
  const ipv6 = await probeIpv6();
  // nft gone: its redirects end (their rules went with its table) and a fresh session follows;
  // if none can be had, a manager that cannot redirect exits so that kdiag injects a new one.
  const rules = !canRedirect ? noNetAdmin : await RedirectRules.open({
    onLost: ({ table, error }) => {
      log("error", "kdiag's nft process is gone, and every redirect rule with it; starting a fresh one", { table, error: error.message });
      void redirects.endAll({ code: status.ABORTED, details: `the kdiag manager lost its redirect rules: ${error.message}` });
    },
    onBroken: (error) => {
      log("error", `could not restart nft ${restartAttempts} times in a row; exiting`, { error: error.message });
      process.exit(1);
    },
  }).catch((error: Error) => error);
  let grpcPort = 0;
  const redirects = new Redirects({ rules, grpcPort: () => grpcPort, ipv6, log });
  // The manager's own processes (kdiag-init, itself and its nft) are not the pod's.
  const ownPids = listOwnPids({ init: findInit(), pid: process.pid, ppid: process.ppid });
  // Before the "Listening on" line: a CLI that read the port finds the credential in place.
  const credential = await createCredential({ file: options.credentialFile });
  const { server, port } = await startServer({
    listen: options.listen,
    descriptor: await loadDescriptor(),
    credential,
    handlers: {
      version: async () => ({ version: getVersion(), redirectBackend: "nftables", ...(await describePod()), missingCapabilities }),
      ps: async () => ({ processes: await listProcesses({ excludePids: ownPids, readForeignSockets: readForeignSocketInodes }) }),
      redirect: redirects.handle,
      tunnel: redirects.tunnel,
      reach: createReachHandler({ log }),
      rules: createRulesHandler({ log, ownTable: () => (rules instanceof Error ? "" : rules.table) }),
      conntrack: createConntrackHandler({ log }),
    },
  });
  grpcPort = port;
  // The CLI reads this exact first line from the container log; everything after is JSON.
  process.stdout.write(`Listening on ${formatListenAddress({ host: options.listen.host, port })}\n`);
  logLeftovers(log, leftovers);
  for (const { feature, capabilities } of missingCapabilities) log("warn", "missing capabilities", { feature, capabilities: capabilities.join(",") });
  if (rules instanceof Error) log("error", "redirects are unavailable", { error: rules.message });
  else log("info", "manager started", { version: getVersion(), table: rules.table, ipv6, pid: process.pid });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    log("info", "stopping", { signal });
    setTimeout(() => process.exit(1), shutdownDeadlineMs).unref();
    await redirects.endAll({ code: status.ABORTED, details: `the kdiag manager is stopping (${signal})` });
    if (!(rules instanceof Error)) await rules.close();
    server.forceShutdown();
    process.exit(0);
  };
  process.on("SIGTERM", (signal) => void stop(signal));
  process.on("SIGINT", (signal) => void stop(signal));
}

function logLeftovers(log: Log, leftovers: LeftoverReport | Error): void {
  if (leftovers instanceof Error) return log("warn", "could not look for leftover kdiag tables", { error: leftovers.message });
  for (const table of leftovers.removed) log("info", "removed a leftover kdiag table", { ...table });
  for (const table of leftovers.inUse) log("info", "left a kdiag table of a live manager alone", { ...table });
}
