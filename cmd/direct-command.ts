// `shell` and `redir`, the commands typed dozens of times an hour, run without yargs when their
// command line is plain: loading yargs and the whole command tree costs more than the command's
// own first request. Plain means only their flags, each spelled as in --help (`--name value`,
// `--name=value`, `-n value`, a boolean alone), once (repeatable ones aside), and plain words
// where the command takes them. Anything else — help, an unknown or repeated flag, a missing
// value, a number yargs would turn into another one — goes to yargs (kubectl-kdiag.ts), so that
// every error and every oddity stays yargs' own. Either way the command's own handler runs with
// the same arguments (test/unit/cli-direct-command.test.ts holds the two to each other).
import type { ArgumentsCamelCase, CommandModule, Options } from "yargs";
import { formatUsageHint, type InvocationName } from "../pkg/invocation.ts";
import { markStep } from "../pkg/output/step-timings.ts";
import { redirCommand, redirOptions } from "./commands/redir.ts";
import { shellCommand, shellOptions } from "./commands/shell.ts";
import { runToExit } from "./finish.ts";
import { globalOptions, managerOptions, podOptions } from "./options.ts";

interface Flag {
  /** The name yargs gives the handler (camel case). */
  name: string;
  boolean: boolean;
  repeatable: boolean;
}

interface DirectCommand {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each command has its own argv type
  module: CommandModule<object, any>;
  flags: Map<string, Flag | undefined>;
  /** What the command's plain words are: none, or yargs' `[ports..]`. */
  words: "none" | "ports";
  /** Whether `--` and what follows it are the command's (shell's arguments for ash). */
  passThrough: boolean;
}

const commands: Record<string, DirectCommand> = {
  shell: { module: shellCommand, flags: flagsOf(globalOptions, podOptions, managerOptions, shellOptions), words: "none", passThrough: true },
  redir: { module: redirCommand, flags: flagsOf(globalOptions, podOptions, managerOptions, redirOptions), words: "ports", passThrough: false },
};

/**
 * Runs the command line when it is a plain shell or redir one (the process then exits, as after
 * yargs); resolves false, having done nothing, for any other.
 */
export async function tryRunDirectly(args: string[], invocation: InvocationName): Promise<boolean> {
  if (invocation === "completion") return false;
  const parsed = parseDirectly(args);
  if (!parsed) return false;
  markStep("command line parsed");
  // The handlers read their flags, `--` and `ports`; yargs' `$0` (the script's name) none does.
  return runToExit(async () => parsed.command.handler?.(parsed.argv as ArgumentsCamelCase), () => formatUsageHint(invocation, args[0]));
}

/** The handler and the arguments yargs would give it, or undefined for a line yargs must parse. */
export function parseDirectly(args: readonly string[]): { command: DirectCommand["module"]; argv: Record<string, unknown> } | undefined {
  const [name, ...rest] = args;
  const command = name === undefined || !Object.hasOwn(commands, name) ? undefined : commands[name];
  if (!command) return undefined;
  const argv: Record<string, unknown> = { _: [name] };
  const words: string[] = [];
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index]!;
    if (arg === "--") {
      const passed = rest.slice(index + 1);
      // yargs turns what looks like a number after `--` into one (`1e3` becomes 1000).
      if (!command.passThrough || passed.some((word) => /^-?\.?\d/.test(word))) return undefined;
      argv["--"] = passed;
      break;
    }
    if (!arg.startsWith("-")) {
      words.push(arg);
      continue;
    }
    // A long name of two letters or more, or a one-letter alias; `=value` only after a long one.
    const spelled = /^--([a-z][a-z-]*[a-z])(?:=([^]*))?$/.exec(arg) ?? /^-([a-z])$/.exec(arg);
    const flag = spelled ? command.flags.get(spelled[1]!) : undefined;
    if (!flag) return undefined;
    const inline = spelled?.[2];
    let value: string | true;
    if (flag.boolean) {
      // yargs reads `--wait=false` and `--wait false` as a value of the flag.
      if (inline !== undefined || rest[index + 1] === "true" || rest[index + 1] === "false") return undefined;
      value = true;
    } else {
      const given = inline ?? rest[++index];
      if (given === undefined || given === "" || given.startsWith("-")) return undefined;
      value = given;
    }
    const previous = argv[flag.name];
    if (previous !== undefined && !flag.repeatable) return undefined;
    argv[flag.name] = flag.repeatable ? [...((previous as string[] | undefined) ?? []), value] : value;
  }
  if (words.length > 0) {
    if (command.words === "none") return undefined;
    argv.ports = words;
  }
  return { command: command.module, argv };
}

/** Each flag by every spelling; undefined for one whose kind this parser does not read as yargs does. */
function flagsOf(...groups: Record<string, Options>[]): Map<string, Flag | undefined> {
  const flags = new Map<string, Flag | undefined>();
  for (const group of groups) {
    for (const [key, option] of Object.entries(group)) {
      const plain =
        (option.type === "string" || option.type === "boolean") &&
        option.choices === undefined &&
        option.coerce === undefined &&
        option.default === undefined &&
        option.nargs === undefined &&
        !option.count;
      const flag = plain ? { name: key.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase()), boolean: option.type === "boolean", repeatable: option.array === true } : undefined;
      for (const spelling of [key, ...[option.alias ?? []].flat()]) flags.set(spelling, flag);
    }
  }
  return flags;
}
