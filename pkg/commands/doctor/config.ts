// `doctor`: which pod (optional: without one, the namespace and the user are checked) and how to
// print the findings.

import { UsageError } from "../../errors.ts";
import { toKubeOptions, type KubeArgs, type KubeOptions } from "../../kube/options.ts";
import { toPodSelection, type PodSelection } from "../../kube/pod-selection.ts";
import { getDefaultImage } from "../../version.ts";

export const doctorOutputs = ["table", "json"] as const;
export type DoctorOutput = (typeof doctorOutputs)[number];

export interface DoctorArgs extends KubeArgs {
  pod?: string;
  selector?: string;
  target?: string;
  image?: string;
  output?: string;
  quiet?: boolean;
}

export interface DoctorConfig {
  kube: KubeOptions;
  /** undefined: no pod named, so namespace and permissions only. */
  selection?: PodSelection;
  target?: string;
  /** The manager image the dry run adds, as the commands would. */
  image: string;
  output: DoctorOutput;
  quiet: boolean;
}

export function toDoctorConfig(argv: DoctorArgs): DoctorConfig {
  const output = doctorOutputs.find((candidate) => candidate === (argv.output ?? "table"));
  if (!output) throw new UsageError(`-o \`${argv.output}\` is not an output format; use one of ${doctorOutputs.join(", ")}`);
  const named = argv.pod !== undefined || argv.selector !== undefined;
  if (!named && argv.target !== undefined) throw new UsageError("-t needs a pod: add --pod NAME or -l SELECTOR");
  const target = argv.target?.trim();
  if (argv.target !== undefined && !target) throw new UsageError("-t needs a container name");
  const image = argv.image?.trim();
  if (argv.image !== undefined && !image) throw new UsageError("--image needs an image reference");
  return {
    kube: toKubeOptions(argv),
    selection: named ? toPodSelection(argv) : undefined,
    target: target || undefined,
    image: image || getDefaultImage(),
    output,
    quiet: argv.quiet ?? false,
  };
}
