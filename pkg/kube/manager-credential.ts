// The manager's credential (its token and pinned certificate), read once through `exec` into the
// kdiag container — the permission that already guards a shell in it — and cached per pod UID and
// container in the user's cache directory (0600), so later commands skip the exec.
import path from "node:path";
import { Writable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import { getCredentialCacheDir, readCacheFile, removeCacheFile, writeCacheFile } from "./cache-file.ts";
import { execInContainer } from "./exec.ts";
import { getCredentialPath } from "../../api/credential-path.ts";

export interface ManagerCredential {
  token: string;
  /** The manager's certificate, pinned. */
  certificate: string;
  /** What the manager demands of its clients (mutual TLS). */
  clientCertificate: string;
  clientKey: string;
}

export interface CredentialSource {
  kc: KubeConfig;
  namespace: string;
  pod: string;
  podUid: string;
  container: string;
  /** The uid kdiag's container runs as: where the manager wrote the credential follows from it. */
  uid: number;
}

export interface LoadedCredential {
  credential: ManagerCredential;
  /** true when it came from the cache (it may be stale: read it again if it is refused). */
  cached: boolean;
}

function cacheFile(source: CredentialSource): string {
  return path.join(getCredentialCacheDir(), `${source.podUid}_${source.container}.json`);
}

/** The cached credential, else one read from the container (and cached). */
export async function loadManagerCredential(source: CredentialSource): Promise<LoadedCredential> {
  // Anything but a trusted cache file of ours is read afresh from the container.
  const text = await readCacheFile(cacheFile(source));
  const cached = text === undefined ? undefined : parseCredential(text);
  if (cached) return { credential: cached, cached: true };
  return { credential: await fetchManagerCredential(source), cached: false };
}

/** Reads the credential from the container, replacing whatever the cache held. */
export async function fetchManagerCredential(source: CredentialSource): Promise<ManagerCredential> {
  let text = "";
  let errors = "";
  const collect = (append: (chunk: string) => void) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString("utf8"));
        done();
      },
    });
  const code = await execInContainer({
    kc: source.kc,
    namespace: source.namespace,
    pod: source.pod,
    container: source.container,
    // Read with the image's static busybox.
    command: ["/bin/busybox", "cat", getCredentialPath(source.uid)],
    stdin: null,
    stdout: collect((chunk) => (text += chunk)),
    stderr: collect((chunk) => (errors += chunk)),
    tty: false,
  });
  const credential = code === 0 ? parseCredential(text) : undefined;
  if (!credential) {
    const why = errors.trim().split("\n")[0] || `exit code ${code}`;
    throw new KdiagError(
      `cannot read the credential of kdiag's manager (container \`${source.container}\` in pod \`${source.pod}\`): ${why}; it may be from an older kdiag — pass --image to match this CLI`,
    );
  }
  await storeCredential(source, credential);
  return credential;
}

export async function forgetManagerCredential(source: CredentialSource): Promise<void> {
  await removeCacheFile(cacheFile(source));
}

async function storeCredential(source: CredentialSource, credential: ManagerCredential): Promise<void> {
  await writeCacheFile(cacheFile(source), JSON.stringify(credential) + "\n");
}

export function parseCredential(text: string): ManagerCredential | undefined {
  try {
    const value = JSON.parse(text) as Partial<ManagerCredential>;
    if (typeof value.token !== "string" || !/^[0-9a-f]{64}$/.test(value.token)) return undefined;
    for (const pem of [value.certificate, value.clientCertificate]) {
      if (typeof pem !== "string" || !pem.startsWith("-----BEGIN CERTIFICATE-----")) return undefined;
    }
    if (typeof value.clientKey !== "string" || !value.clientKey.startsWith("-----BEGIN PRIVATE KEY-----")) return undefined;
    return { token: value.token, certificate: value.certificate!, clientCertificate: value.clientCertificate!, clientKey: value.clientKey };
  } catch {
    return undefined;
  }
}
