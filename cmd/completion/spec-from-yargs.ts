// Completion's view of the command line, read from the yargs definitions (each command's builder
// run on a fresh parser), so flags, aliases and choices are written once, in cmd/.
import yargs, { type Argv, type CommandModule } from "yargs";
import type { CommandSpec, CompletionSpec, FlagSpec } from "../../pkg/completion/spec.ts";
import { addGlobalOptions } from "../options.ts";

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
      if (typeof command.builder === "function") command.builder(parser as Argv<object>);
      else if (command.builder) parser.options(command.builder);
      return {
        name: String(command.command).split(" ")[0] ?? "",
        describe: typeof command.describe === "string" ? command.describe : "",
        flags: readFlags(parser),
      };
    }),
  };
}

function readFlags(parser: Argv<unknown>): FlagSpec[] {
  const options = (parser as unknown as { getOptions(): DeclaredOptions }).getOptions();
  const aliases = new Set(Object.values(options.alias).flat());
  // yargs declares --version itself; kdiag has a `version` command instead.
  const names = Object.keys(options.key).filter((name) => !aliases.has(name) && name !== "version");
  return names.map((name) => ({
    name,
    short: (options.alias[name] ?? []).filter((alias) => alias.length === 1),
    takesValue: !options.boolean.includes(name) && !options.count.includes(name),
    choices: (options.choices[name] ?? []).map(String),
  }));
}
