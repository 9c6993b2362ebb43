// Every command of the CLI, in help order: the yargs tree and completion are built from this list.
import type { CommandModule } from "yargs";
import { doctorCommand } from "./commands/doctor.ts";
import { logsCommand } from "./commands/logs.ts";
import { manageCommand } from "./commands/manage.ts";
import { psCommand } from "./commands/ps.ts";
import { reachCommand } from "./commands/reach.ts";
import { redirCommand } from "./commands/redir.ts";
import { rulesCommand } from "./commands/rules.ts";
import { shellCommand } from "./commands/shell.ts";
import { versionCommand } from "./commands/version.ts";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each module has its own argv type
export const commands: CommandModule<object, any>[] = [shellCommand, logsCommand, redirCommand, psCommand, reachCommand, rulesCommand, manageCommand, doctorCommand, versionCommand];
