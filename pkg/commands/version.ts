// `version`: what this CLI is and which manager image it injects by default.

import { getDefaultImage, getKdiagVersion } from "../version.ts";

export function formatVersion(): string {
  return `kdiag ${getKdiagVersion()}\nmanager image ${getDefaultImage()}\n`;
}
