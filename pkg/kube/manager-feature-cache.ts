// The features (manager-capabilities.ts) a manager was found to have every capability for,
// remembered next to its port for the container instance that answered: a container's
// capabilities are fixed when it starts, so a later command on the same container skips asking
// (one round trip through the port-forward before redir's first rule). A new container (another
// containerID) is asked again.
import path from "node:path";
import { getCredentialCacheDir, readCacheFile, removeCacheFile, writeCacheFile } from "./cache-file.ts";
import type { ManagerInstance } from "./manager-port-cache.ts";

function cacheFile(instance: Pick<ManagerInstance, "podUid" | "container">): string {
  return path.join(getCredentialCacheDir(), `${instance.podUid}_${instance.container}.features.json`);
}

export async function readCheckedFeatures(instance: ManagerInstance): Promise<string[]> {
  const text = await readCacheFile(cacheFile(instance));
  if (text === undefined) return [];
  try {
    const value = JSON.parse(text) as { containerId?: unknown; features?: unknown };
    const features = value.features;
    const valid = value.containerId === instance.containerId && Array.isArray(features) && features.every((feature) => typeof feature === "string");
    return valid ? (features as string[]) : [];
  } catch {
    return [];
  }
}

export async function storeCheckedFeature(instance: ManagerInstance, feature: string): Promise<void> {
  const features = [...new Set([...(await readCheckedFeatures(instance)), feature])].sort();
  await writeCacheFile(cacheFile(instance), JSON.stringify({ containerId: instance.containerId, features }) + "\n");
}

export async function forgetCheckedFeatures(instance: Pick<ManagerInstance, "podUid" | "container">): Promise<void> {
  await removeCacheFile(cacheFile(instance));
}
