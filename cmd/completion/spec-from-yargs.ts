// Completion's view of the command line, read from the yargs definitions (each command's builder
// run on a fresh parser), so flags, aliases and choices are written once, in cmd/.
import yargs, { type Argv, type CommandModule } from "yargs";
import type { CommandSpec, CompletionSpec, FlagSpec } from "../../pkg/completion/spec.ts";
import { addGlobalOptions, getOfferedChoices } from "../options.ts";

/** The parts of yargs' getOptions() we read; @types/yargs does not declare it. */
interface DeclaredOptions {
  key: Record<string, unknown>;
  alias: Record<string, string[]>;
  boolean: string[];
  count: string[];
  choices: Record<string, unknown[]>;
}

export function readCompletionSpec(commands: CommandModule<object, unknown>[]): CompletionSpec {
  const globalFlags = readFlags(addGlobalOptions(yargs([])));
  const listed = commands.filter((command) => command.describe !== false && typeof command.command === "string");
  return {
    globalFlags,
    commands: listed.map((command): CommandSpec => {
      const parser = addGlobalOptions(yargs([]));
      const offered = recordOfferedChoices(parser);
      if (typeof command.builder === "function") command.builder(parser as Argv<object>);
      else if (command.builder) parser.options(command.builder);
      return {
        name: String(command.command).split(" ")[0] ?? "",
        describe: typeof command.describe === "string" ? command.describe : "",
        flags: readFlags(parser, offered),
      };
    }),
  };
}

/** The offerChoices lists of the options a builder declares (yargs keeps no trace of them). */
function recordOfferedChoices(parser: Argv<unknown>): Map<string, readonly string[]> {
  const offered = new Map<string, readonly string[]>();
  const record = (name: string, option: unknown) => {
    const choices = getOfferedChoices(option);
    if (choices) offered.set(name, choices);
  };
  // yargs' options() calls this.option(): wrap both, declare through the original option().
  const declare = parser.option.bind(parser) as (key: unknown, option?: unknown) => Argv<unknown>;
  const spy = (key: unknown, option?: unknown) => {
    if (typeof key === "string") record(key, option);
    else if (typeof key === "object" && key !== null) for (const [name, value] of Object.entries(key)) record(name, value);
    return declare(key, option);
  };
  Object.assign(parser, { option: spy, options: spy });
  return offered;
}

function readFlags(parser: Argv<unknown>, offered: Map<string, readonly string[]> = new Map()): FlagSpec[] {
  const options = (parser as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const aliases = new Set(Object.values(options.alias).flat());
  // yargs declares --version itself; kdiag has a `version` command instead.
  const names = Object.keys(options.key).filter((name) => !aliases.has(name) && name !== "version");
  return names.map((name) => ({
    name,
    short: (options.alias[name] ?? []).filter((alias) => alias.length === 1),
    takesValue: !options.boolean.includes(name) && !options.count.includes(name),
    choices: [...(options.choices[name] ?? []), ...(offered.get(name) ?? [])].map(String),
  }));
}
