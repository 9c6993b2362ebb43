// `version`: what this CLI is and which manager image it injects by default.

import { formatData } from "../../output/data.ts";
import { describeVersion, getDefaultImage, getKdiagVersion } from "../../version.ts";
import type { VersionConfig } from "./config.ts";

/** The `-o json|yaml` document (README: version -o json). */
export interface VersionDocument {
  version: string;
  managerImage: string;
}

export function formatVersion(config: VersionConfig): string {
  const document: VersionDocument = { version: getKdiagVersion(), managerImage: getDefaultImage() };
  switch (config.output) {
    case "text":
      return describeVersion();
    case "json":
    case "yaml":
      return formatData(document, config.output);
  }
}
