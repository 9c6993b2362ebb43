// Files in the user's kdiag cache (~/.cache/kdiag/credentials): read only when they are plain
// files of ours that nobody else may read or write (a shared cache directory is not to be
// trusted), written new-then-renamed. A cache that cannot be read or written only costs the next
// command a round trip.
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import path from "node:path";

export function getCredentialCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME || path.join(homedir(), ".cache");
  return path.join(base, "kdiag", "credentials");
}

/** The file's text, or undefined when it is absent or not to be trusted. */
export async function readCacheFile(file: string): Promise<string | undefined> {
  const stat = await lstat(file).catch(() => undefined);
  const trusted = stat?.isFile() && stat.uid === process.getuid?.() && (stat.mode & 0o077) === 0;
  return trusted ? await readFile(file, "utf8").catch(() => undefined) : undefined;
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
