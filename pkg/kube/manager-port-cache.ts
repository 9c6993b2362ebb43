// The manager's port, remembered next to its credential (cache-file.ts) for the container
// instance that announced it: a later command on the same pod skips reading the manager's log.
// A port is only ever used through the pinned, mutually authenticated TLS connection, so a
// wrong one fails that handshake and is read from the log again (manager-connection.ts).
import path from "node:path";
import { getCredentialCacheDir, readCacheFile, removeCacheFile, writeCacheFile } from "./cache-file.ts";

export interface ManagerInstance {
  podUid: string;
  container: string;
  /** The runtime's ID of the container (its status' containerID): a new container, a new port. */
  containerId: string;
}

function cacheFile(instance: ManagerInstance): string {
  return path.join(getCredentialCacheDir(), `${instance.podUid}_${instance.container}.port.json`);
}

export async function readCachedPort(instance: ManagerInstance): Promise<number | undefined> {
  const text = await readCacheFile(cacheFile(instance));
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as { containerId?: unknown; port?: unknown };
    const port = value.port;
    const valid = value.containerId === instance.containerId && typeof port === "number" && Number.isInteger(port) && port >= 1 && port <= 65535;
    return valid ? port : undefined;
  } catch {
    return undefined;
  }
}

export async function storePort(instance: ManagerInstance, port: number): Promise<void> {
  await writeCacheFile(cacheFile(instance), JSON.stringify({ containerId: instance.containerId, port }) + "\n");
}

export async function forgetPort(instance: ManagerInstance): Promise<void> {
  await removeCacheFile(cacheFile(instance));
}
