// Files in the user's kdiag cache (~/.cache/kdiag): read only when they are plain
// files of ours that nobody else may read or write (a shared cache directory is not to be
// trusted), written new-then-renamed. A cache that cannot be read or written only costs the next
// command a round trip.
import { closeSync, constants, fstatSync, lstatSync, openSync, readFileSync, type Stats } from "node:fs";
import { chmod, lstat, mkdir, open, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

export function getCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(homedir(), ".cache"), "kdiag");
}

export function getCredentialCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(getCacheDir(env), "credentials");
}

/**
 * The file's text, or undefined when it is absent or not to be trusted. Opened without following
 * a link and checked on the descriptor it is read from, so nothing can be swapped in between the
 * check and the read; in a directory nobody else may write.
 */
export async function readCacheFile(file: string): Promise<string | undefined> {
  if (!isTrustedDirectory(path.dirname(file))) return undefined;
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW).catch(() => undefined);
  if (!handle) return undefined;
  try {
    return isTrusted(await handle.stat()) ? await handle.readFile("utf8") : undefined;
  } catch {
    return undefined;
  } finally {
    await handle.close();
  }
}

/** readCacheFile's bytes, synchronously (the code cache is read while modules load). */
export function readCacheFileSync(file: string): Buffer | undefined {
  if (!isTrustedDirectory(path.dirname(file))) return undefined;
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return undefined;
  }
  try {
    return isTrusted(fstatSync(fd)) ? readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

function isTrusted(stat: Stats | undefined): boolean {
  return Boolean(stat?.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0);
}

/** The directory and the cache root above it are ours, and nobody else may write them. */
export function isTrustedDirectory(directory: string): boolean {
  return [directory, getCacheDir()].every((candidate) => {
    const stat = lstatSync(candidate, { throwIfNoEntry: false });
    return Boolean(stat?.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0);
  });
}

export async function writeCacheFile(file: string, text: string): Promise<void> {
  const directory = path.dirname(file);
  try {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    // Not through a link, nor into a directory another user could swap files in.
    if (!isTrustedDirectory(directory)) return;
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
