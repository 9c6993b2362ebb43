// `version` options: the output format. Pure; unit-tested.

import { UsageError } from "../../errors.ts";
import { dataFormats } from "../../output/data-formats.ts";

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
