// What completion knows about the command line: the commands and each one's flags. cmd/ builds
// it from the yargs definitions themselves, so a flag added there completes with no second list.

export interface FlagSpec {
  /** Long name without dashes, e.g. `namespace`. */
  name: string;
  /** One-letter aliases, e.g. `n`. */
  short: string[];
  /** false for a boolean flag: the next word is not its value. */
  takesValue: boolean;
  /** The values help lists (`-o`, `--pull-policy`). */
  choices: string[];
}

export interface CommandSpec {
  name: string;
  describe: string;
  /** Its own flags and the global ones. */
  flags: FlagSpec[];
}

export interface CompletionSpec {
  commands: CommandSpec[];
  /** The flags every command takes, also before the command's name. */
  globalFlags: FlagSpec[];
}
