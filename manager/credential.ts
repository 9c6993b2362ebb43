// The manager's credential: a random 256-bit token every call must carry, the self-signed
// certificate its TLS listener presents, and a client certificate and key that its listener
// demands (mutual TLS: a peer without them fails the handshake and never opens an HTTP/2
// session). All of it goes into one file of the manager's own container
// (0600, in a 0700 directory of the manager's uid), never into the log, the environment or a
// command line: whoever may exec into the container (or read its files) can read it, and nobody
// else in the pod can — under the restricted profile, except processes of the manager's own uid.
import { randomBytes } from "node:crypto";
import { chmod, lstat, mkdir, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { createSelfSignedCertificate } from "./self-signed-certificate.ts";

import { getCredentialPath } from "../api/credential-path.ts";

export const defaultCredentialFile = getCredentialPath(process.getuid?.() ?? 0);

export interface Credential extends CredentialFile {
  privateKey: string;
}

/** What the file holds, and what the CLI reads back (pkg/kube/manager-credential.ts). */
export interface CredentialFile {
  token: string;
  certificate: string;
  clientCertificate: string;
  clientKey: string;
}

export async function createCredential(options: { file: string }): Promise<Credential> {
  const { certificate, privateKey } = createSelfSignedCertificate({ name: "kdiag-manager" });
  const client = createSelfSignedCertificate({ name: "kdiag-client" });
  const token = randomBytes(32).toString("hex");
  const directory = dirname(options.file);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  await requireOwnDirectory(directory);
  await chmod(directory, 0o700);
  // Written under another name and renamed, so a reader never sees half a file.
  const partial = `${options.file}.${process.pid}.partial`;
  const content: CredentialFile = { token, certificate, clientCertificate: client.certificate, clientKey: client.privateKey };
  await writeFile(partial, JSON.stringify(content) + "\n", { mode: 0o600, flag: "wx" });
  await rename(partial, options.file);
  return { ...content, privateKey };
}

/**
 * The directory must be ours, a real directory: under the baseline profile the manager runs as a
 * uid of kdiag's own, and only that uid (0700) may read the credential or swap it. One that
 * someone else made, or a symlink, is refused rather than written into.
 */
async function requireOwnDirectory(directory: string): Promise<void> {
  const stats = await lstat(directory);
  const uid = process.getuid?.();
  if (!stats.isDirectory() || (uid !== undefined && stats.uid !== uid)) {
    throw new Error(`${directory} is not a directory of uid ${uid}: refusing to write kdiag's credential there`);
  }
}
