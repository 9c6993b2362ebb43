// Completion in cobra's `__complete` protocol, which kubectl (≥ 1.26) speaks with a plugin's
// `kubectl_complete-<plugin>` executable: one candidate a line (`value<TAB>description`), then
// `:<directive>`. Values that live in the cluster come from `values`, so a test can hand it a
// real cluster or a plain list.

import type { CompletionSpec } from "./spec.ts";
import { readCompletionRequest, type ClusterValueFlag, type CompletionRequest } from "./words.ts";

/** cobra's ShellCompDirective bits. */
export const directives = { error: 1, noSpace: 2, noFileCompletion: 4, default: 0 } as const;

export interface Candidate {
  value: string;
  description?: string;
}

/** Reads values from the cluster the line names (its -n, --context, --kubeconfig, --as). */
export type ClusterValues = (flag: ClusterValueFlag, request: CompletionRequest) => Promise<string[]>;

export interface Completion {
  candidates: Candidate[];
  directive: number;
}

export async function complete(spec: CompletionSpec, words: readonly string[], values: ClusterValues): Promise<Completion> {
  const request = readCompletionRequest(spec, words);
  const { target } = request;
  const none = (directive: number): Completion => ({ candidates: [], directive });
  switch (target.kind) {
    case "commands":
      return matching(request, spec.commands.map((command) => ({ value: command.name, description: command.describe })));
    case "flags":
      return matching(
        request,
        target.flags.flatMap((flag) => [{ value: `--${flag.name}` }, ...flag.short.map((short) => ({ value: `-${short}` }))]),
      );
    case "choices":
      return matching(request, target.choices.map((value) => ({ value })));
    case "cluster":
      try {
        return matching(request, (await values(target.flag, request)).map((value) => ({ value })));
      } catch {
        // No cluster, no permission: nothing to offer, and the shell must not offer file names.
        return none(directives.error);
      }
    case "files":
      return none(directives.default);
    case "nothing":
      return none(directives.noFileCompletion);
  }
}

function matching(request: CompletionRequest, candidates: Candidate[]): Completion {
  const kept = candidates
    .filter((candidate) => candidate.value.startsWith(request.current))
    .map((candidate) => ({ ...candidate, value: request.prefix + candidate.value }));
  return { candidates: kept, directive: directives.noFileCompletion };
}

/** The text kubectl reads back. Tabs and newlines in a value would break the protocol. */
export function formatCompletion(completion: Completion): string {
  const lines = completion.candidates.map(({ value, description }) => {
    const clean = (text: string) => text.replace(/[\t\n\r]+/g, " ");
    return description ? `${clean(value)}\t${clean(description)}` : clean(value);
  });
  return [...lines, `:${completion.directive}`].join("\n") + "\n";
}
