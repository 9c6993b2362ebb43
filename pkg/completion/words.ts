// Reads a partial command line (the words after `kubectl kdiag`, the last one being typed) into
// what is to be completed and the flags already given. Pure; unit-tested.

import type { CommandSpec, CompletionSpec, FlagSpec } from "./spec.ts";

/** The flags whose values come from the cluster or the kubeconfig. */
export type ClusterValueFlag = "pod" | "selector" | "target" | "container" | "namespace" | "context";

export type CompletionTarget =
  | { kind: "commands" }
  | { kind: "flags"; flags: FlagSpec[] }
  | { kind: "choices"; choices: string[] }
  | { kind: "cluster"; flag: ClusterValueFlag }
  /** A path (--kubeconfig) or a word after `--`: the shell's own file completion. */
  | { kind: "files" }
  /** A value nobody can guess (a port, a duration, an image). */
  | { kind: "nothing" };

export interface CompletionRequest {
  target: CompletionTarget;
  /** The word being typed, without a `--flag=` prefix. */
  current: string;
  /** `--flag=` when the value is typed in the same word; candidates carry it. */
  prefix: string;
  /** The last value of each flag on the line, by long name. */
  given: Record<string, string>;
}

const clusterFlags: readonly string[] = ["pod", "selector", "target", "container", "namespace", "context"] satisfies ClusterValueFlag[];

export function readCompletionRequest(spec: CompletionSpec, words: readonly string[]): CompletionRequest {
  const typed = words.at(-1) ?? "";
  const before = words.slice(0, -1);
  let command: CommandSpec | undefined;
  let pending: FlagSpec | undefined;
  let afterDashes = false;
  const given: Record<string, string> = {};
  for (const word of before) {
    const flags = command?.flags ?? spec.globalFlags;
    if (pending) {
      given[pending.name] = word;
      pending = undefined;
    } else if (word === "--") {
      afterDashes = true;
      break;
    } else if (word.startsWith("-") && word.length > 1) {
      const [flagWord, value] = splitValue(word);
      const flag = findFlag(flags, flagWord);
      if (flag?.takesValue) {
        if (value === undefined) pending = flag;
        else given[flag.name] = value;
      }
    } else if (!command) {
      command = spec.commands.find((candidate) => candidate.name === word);
    }
  }
  const flags = command?.flags ?? spec.globalFlags;
  if (afterDashes) return { target: { kind: "files" }, current: typed, prefix: "", given };
  if (pending) return { target: valueTarget(pending), current: typed, prefix: "", given };
  if (typed.startsWith("-")) {
    const [flagWord, value] = splitValue(typed);
    const flag = value === undefined ? undefined : findFlag(flags, flagWord);
    if (flag?.takesValue && value !== undefined) {
      return { target: valueTarget(flag), current: value, prefix: `${flagWord}=`, given };
    }
    return { target: { kind: "flags", flags }, current: typed, prefix: "", given };
  }
  return { target: command ? { kind: "nothing" } : { kind: "commands" }, current: typed, prefix: "", given };
}

function valueTarget(flag: FlagSpec): CompletionTarget {
  if (flag.choices.length > 0) return { kind: "choices", choices: flag.choices };
  if (clusterFlags.includes(flag.name)) return { kind: "cluster", flag: flag.name as ClusterValueFlag };
  if (flag.name === "kubeconfig") return { kind: "files" };
  return { kind: "nothing" };
}

function splitValue(word: string): [string, string | undefined] {
  const equals = word.indexOf("=");
  return equals < 0 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
}

function findFlag(flags: readonly FlagSpec[], word: string): FlagSpec | undefined {
  const name = word.replace(/^--?/, "");
  return word.startsWith("--") ? flags.find((flag) => flag.name === name) : flags.find((flag) => flag.short.includes(name));
}
