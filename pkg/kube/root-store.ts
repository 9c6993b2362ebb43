// The store of well-known roots, built for what kdiag uses of it. Node builds that store on the
// first TLS context of the process, even one that pins its own authority and never reads it: to
// add a pinned authority (the kubeconfig's, the manager's certificate) Node 20 first compares the
// context's store with the roots' store, and the comparison builds it — about 30 ms of certificate
// parsing, a tenth of a shell. kdiag pins an authority on every connection to the cluster and to
// the manager (a cluster that names none is pinned to Node's default trust, default-trust.ts), so the store matters only where client-node dials somewhere else: an OIDC issuer
// (a user's auth-provider) or an https proxy.
//
// Started with --use-openssl-ca (cmd/launcher.sh), Node builds the store from OpenSSL's default
// file, directory and store URI, read from SSL_CERT_FILE, SSL_CERT_DIR and SSL_CERT_URI when it is
// built. kdiag builds it here, once, with those pointing at nothing (an empty store, at no cost:
// a connection that should have pinned an authority fails closed) or, where a dial needs it, at a
// file of exactly what Node trusts by default. The variables are back before anything else runs,
// so the programs kdiag starts (credential plugins, `logs -- CMD`) see the user's own.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { devNull, tmpdir } from "node:os";
import path from "node:path";
import { createSecureContext } from "node:tls";

const locations = ["SSL_CERT_FILE", "SSL_CERT_DIR", "SSL_CERT_URI"] as const;

/**
 * Builds the process's root store: empty unless `wellKnown` (Node's default trust, as PEM text) is
 * given. Does nothing when Node was not started with --use-openssl-ca, or once
 * the store exists.
 */
export function buildRootStore(wellKnown: string | undefined, execArgv: readonly string[] = process.execArgv): void {
  if (built || !execArgv.includes("--use-openssl-ca")) return;
  built = true;
  const saved = locations.map((name) => [name, process.env[name]] as const);
  const dir = wellKnown === undefined ? undefined : mkdtempSync(path.join(tmpdir(), "kdiag-roots-"));
  try {
    // A path under a device can never be a directory: nobody can put a certificate there.
    const nowhere = path.join(devNull, "none");
    process.env.SSL_CERT_FILE = devNull;
    process.env.SSL_CERT_DIR = nowhere;
    process.env.SSL_CERT_URI = nowhere;
    if (dir !== undefined) {
      process.env.SSL_CERT_FILE = path.join(dir, "roots.pem");
      writeFileSync(process.env.SSL_CERT_FILE, wellKnown ?? "", { mode: 0o600 });
    }
    // No authority of its own: Node puts the root store under it, building it now.
    createSecureContext();
  } finally {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  }
}

let built = false;
