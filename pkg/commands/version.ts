// `version`: what this CLI is and which manager image it injects by default.

import { UsageError } from "../errors.ts";
import { dataFormats, formatData } from "../output/data.ts";
import { getDefaultImage, getKdiagVersion } from "../version.ts";

export const versionOutputs = ["text", ...dataFormats] as const;
export type VersionOutput = (typeof versionOutputs)[number];

export interface VersionConfig {
  output: VersionOutput;
}

export function toVersionConfig(argv: { output?: string }): VersionConfig {
  const output = versionOutputs.find((candidate) => candidate === (argv.output ?? "text"));
  if (!output) throw new UsageError(`-o \`${argv.output}\` is not an output format; use one of ${versionOutputs.join(", ")}`);
  return { output };
}

/** The `-o json|yaml` document (README: version -o json). */
export interface VersionDocument {
  version: string;
  managerImage: string;
}

export function formatVersion(config: VersionConfig): string {
  const document: VersionDocument = { version: getKdiagVersion(), managerImage: getDefaultImage() };
  switch (config.output) {
    case "text":
      return `kdiag ${document.version}\nmanager image ${document.managerImage}\n`;
    case "json":
    case "yaml":
      return formatData(document, config.output);
  }
}
