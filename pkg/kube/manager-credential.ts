// The manager's credential (its token and pinned certificate), read once through `exec` into the
// kdiag container — the permission that already guards a shell in it — and cached per pod UID and
// container in the user's cache directory (0600), so later commands skip the exec.
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import type { KubeConfig } from "@kubernetes/client-node";
import { KdiagError } from "../errors.ts";
import { execInContainer } from "./exec.ts";

/** Where the manager writes it (manager/credential.ts); read with the image's static busybox. */
export const credentialPath = "/run/kdiag/credential.json";

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
}

export interface LoadedCredential {
  credential: ManagerCredential;
  /** true when it came from the cache (it may be stale: read it again if it is refused). */
  cached: boolean;
}

export function getCredentialCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(base, "kdiag", "credentials");
}

function cacheFile(source: CredentialSource): string {
  return path.join(getCredentialCacheDir(), `${source.podUid}_${source.container}.json`);
}

/** The cached credential, else one read from the container (and cached). */
export async function loadManagerCredential(source: CredentialSource): Promise<LoadedCredential> {
  const file = cacheFile(source);
  // Only a plain file of ours that nobody else may read or write (a shared cache directory is
  // not to be trusted); anything else is read afresh from the container.
  const stat = await lstat(file).catch(() => undefined);
  const trusted = stat?.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  const cached = trusted ? await readFile(file, "utf8").then(parseCredential, () => undefined) : undefined;
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
    command: ["/bin/busybox", "cat", credentialPath],
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
  await rm(cacheFile(source), { force: true });
}

async function storeCredential(source: CredentialSource, credential: ManagerCredential): Promise<void> {
  const file = cacheFile(source);
  const directory = path.dirname(file);
  // A cache we cannot write only costs the next command an exec.
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await chmod(directory, 0o700);
    // A new file (never one that is there, or a link) under another name, then renamed.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, JSON.stringify(credential) + "\n", { mode: 0o600, flag: "wx" });
    await rename(partial, file);
  } catch {
    // As above: read again next time.
  }
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
