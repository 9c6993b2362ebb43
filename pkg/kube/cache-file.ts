// Files in the user's kdiag cache (~/.cache/kdiag): read only when they are plain
// files of ours that nobody else may read or write (a shared cache directory is not to be
// trusted), written new-then-renamed. A cache that cannot be read or written only costs the next
// command a round trip.
import { lstatSync, type Stats } from "node:fs";
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

export function getCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "kdiag");
}

export function getCredentialCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(getCacheDir(env), "credentials");
}

/** The file's text, or undefined when it is absent or not to be trusted. */
export async function readCacheFile(file: string): Promise<string | undefined> {
  const trusted = isTrusted(await lstat(file).catch(() => undefined));
  return trusted ? await readFile(file, "utf8").catch(() => undefined) : undefined;
}

export function isTrustedCacheFile(file: string): boolean {
  return isTrusted(lstatSync(file, { throwIfNoEntry: false }));
}

function isTrusted(stat: Stats | undefined): boolean {
  return Boolean(stat?.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0);
}

export async function writeCacheFile(file: string, text: string): Promise<void> {
  const directory = path.dirname(file);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    await chmod(directory, 0o700);
    // A new file (never one that is there, or a link) under another name, then renamed.
    const partial = `${file}.${process.pid}.partial`;
    await writeFile(partial, text, { mode: 0o600, flag: "wx" });
    await rename(partial, file);
  } catch {
    // As above: the next command asks again.
  }
}

export async function removeCacheFile(file: string): Promise<void> {
  await rm(file, { force: true });
}
