// The store of well-known roots, built for what kdiag uses of it. Node builds that store on the
// first TLS context of the process, even one that pins its own authority and never reads it: to
// add a pinned authority (the kubeconfig's, the manager's certificate) Node 20 first compares the
// context's store with the roots' store, and the comparison builds it — about 30 ms of certificate
// parsing, a tenth of a shell.
//
// So the launcher (cmd/launcher.sh) starts Node with --use-openssl-ca, and says so in
// KDIAG_ROOT_STORE: Node then builds the store from OpenSSL's default file, directory and store
// URI, read from SSL_CERT_FILE, SSL_CERT_DIR and SSL_CERT_URI when it is built, and kdiag builds
// it here, once, with those pointing at nothing (an empty store, at no cost) or, where client-node
// dials past the cluster (an OIDC issuer, an https proxy), at exactly Node's default trust. Every
// other connection pins its authority (config.ts pins a cluster that names none to Node's default
// trust), so an empty store fails closed. The variables are the user's again before anything else
// runs, so the programs kdiag starts see their own. Without the launcher's word (Node started by
// hand, or a NODE_OPTIONS that chooses a store) nothing here applies: Node's own rules do.
//
// This holds only while nothing has made a TLS context before the session is loaded (config.ts):
// the first one builds the store, from whatever the variables say then.

import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import path from "node:path";
import { createSecureContext } from "node:tls";

// Taken as this module loads, before kdiag starts any program, so that none inherits it.
const launcherDeferred = process.env.KDIAG_ROOT_STORE === "deferred";
delete process.env.KDIAG_ROOT_STORE;

const locations = ["SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CERT_URI"] as const;
let built = false;

/** Whether kdiag builds the root store: the launcher started Node with --use-openssl-ca for it. */
export function buildsRootStore(execArgv: readonly string[] = process.execArgv): boolean {
  return launcherDeferred && execArgv.includes("--use-openssl-ca");
}

/**
 * Builds the process's root store: empty unless `wellKnown` (Node's default trust, as PEM text) is
 * given. Does nothing unless buildsRootStore(), or once the store exists.
 */
export function buildRootStore(wellKnown: string | undefined): void {
  if (built || !buildsRootStore()) return;
  built = true;
  const saved = locations.map((name) => [name, process.env[name]] as const);
  // A path under a device can never be a directory: nobody can put a certificate there.
  const nowhere = path.join(devNull, "none");
  const file = wellKnown === undefined ? undefined : openTextFile(wellKnown);
  try {
    process.env.SSL_CERT_FILE = file === undefined ? devNull : `/dev/fd/${file}`;
    process.env.SSL_CERT_DIR = nowhere;
    process.env.SSL_CERT_URI = nowhere;
    // No authority of its own: Node puts the root store under it, building it now.
    createSecureContext();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (file !== undefined) closeSync(file);
  }
}

/**
 * A descriptor of a file holding `text` that no name leads to any more (nothing can swap it), or
 * undefined when no such file can be made (no writable temporary directory): the store is then
 * empty, and a dial that needed it fails as an untrusted certificate.
 */
function openTextFile(text: string): number | undefined {
  let dir: string | undefined;
  try {
    dir = mkdtempSync(path.join(tmpdir(), "kdiag-roots-"));
    const file = path.join(dir, "roots.pem");
    writeFileSync(file, text, { mode: 0o600, flag: "wx" });
    return openSync(file, "r");
  } catch {
    return undefined;
  } finally {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}
