// `kdiag __complete WORDS…`: what kubectl's `kubectl_complete-kdiag` runs (and the `completion`
// script for a bare `kdiag`). Prints candidates in cobra's protocol; never fails loudly, since
// its output lands in the user's shell while they type.
import type { CommandModule } from "yargs";
import { complete, formatCompletion } from "../../pkg/completion/complete.ts";
import { readCompletionSpec } from "./spec-from-yargs.ts";

export const completeCommandName = "__complete";

export async function runCompleteCommand(commands: CommandModule<object, unknown>[], words: string[]): Promise<number> {
  const { readClusterValues } = await import("../../pkg/completion/cluster-values.ts");
  const completion = await complete(readCompletionSpec(commands), words.length === 0 ? [""] : words, readClusterValues);
  process.stdout.write(formatCompletion(completion));
  return 0;
}
