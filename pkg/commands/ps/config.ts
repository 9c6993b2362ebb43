// `ps`: the pod's processes as the target container sees them, with what each listens on.

import { UsageError } from "../../errors.ts";
import { dataFormats } from "../../output/data-formats.ts";
import { toPodCommandConfig, type PodCommandArgs, type PodCommandConfig } from "../pod-config.ts";

export const psOutputs = ["table", ...dataFormats] as const;
export type PsOutput = (typeof psOutputs)[number];

export interface PsArgs extends PodCommandArgs {
  output?: string;
}

export interface PsConfig extends PodCommandConfig {
  output: PsOutput;
}

export function toPsConfig(argv: PsArgs): PsConfig {
  const output = psOutputs.find((candidate) => candidate === (argv.output ?? "table"));
  if (!output) throw new UsageError(`-o \`${argv.output}\` is not an output format; use one of ${psOutputs.join(", ")}`);
  return { ...toPodCommandConfig(argv, "ps"), output };
}
