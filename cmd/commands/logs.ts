// `kubectl kdiag logs`: flags only; the work is in pkg/logs.
import type { Argv, CommandModule } from "yargs";
import { describeChoices, offerChoices } from "../options.ts";
import { DEFAULT_DRAIN, OUTPUT_FORMATS, toLogsConfig, type LogsArgv } from "../../pkg/commands/logs/config.ts";

/**
 * `--` and what follows it is the command (the CLI parses with populate--). Words typed without
 * `--` land in the usage line's positionals, `options` and `command`: a usage error names them.
 */
type LogsOptions = Omit<LogsArgv, "command"> & {
  "--"?: (string | number)[];
  options?: string | number;
  command?: (string | number)[];
};

export const logsCommand: CommandModule<object, LogsOptions> = {
  command: "logs [options] [-- command...]",
  describe: "Follow the logs of many pods at once, around a command",
  builder: (yargs: Argv<object>) =>
    yargs
      .option("selector", { alias: "l", type: "string", array: true, requiresArg: true, describe: "Pods matching SELECTOR[:container] (repeatable; pods that start matching later are followed too)" })
      .option("pod", { type: "string", array: true, requiresArg: true, describe: "The pod NAME[:container] (repeatable)" })
      .option("all", { type: "boolean", describe: "Follow every container of each pod (sidecars and ephemeral ones too)" })
      .option("container", { alias: "c", type: "string", requiresArg: true, describe: "Container for sources without :container (default: the pod's default container)" })
      .option("since", { type: "string", requiresArg: true, describe: "Also show lines from this long before the start, e.g. 5m" })
      .option("timestamps", { type: "boolean", describe: "Show each line's time" })
      .option("drain", { alias: "d", type: "string", default: DEFAULT_DRAIN, requiresArg: true, describe: "Keep following this long after the command exits" })
      .option("output", offerChoices(OUTPUT_FORMATS, { alias: "o", type: "string", requiresArg: true, describe: `Output format: ${describeChoices(OUTPUT_FORMATS)} (json: one object {pod, container, line, time} per line)`, defaultDescription: "text" }))
      .example("$0 logs -l app=server -- curl -s http://10.0.0.7:8080/", "follow every app=server pod while curl runs; exit with curl's code")
      .example("$0 logs -l app=mesh:proxy --pod db-0 --since 1m", "follow the proxy container of app=mesh pods and pod db-0 until Ctrl-C")
      .epilog(
        "Every stream is open before the command starts, so no line it causes is missed. After the command exits, " +
          "logs keeps following for --drain, then exits with the command's exit code (128+N if a signal N ended it). " +
          "Without a command, it follows until Ctrl-C or SIGTERM and then exits 0.",
      ) as Argv<LogsOptions>,
  handler: async (argv) => {
    const stray = [...(argv.options === undefined ? [] : [argv.options]), ...(argv.command ?? [])].map(String);
    const config = toLogsConfig({ ...argv, command: (argv["--"] ?? []).map(String), stray });
    // Loaded here so that `--help` does not pull in grpc-js and client-node.
    const { runLogsCommand } = await import("../../pkg/commands/logs/main.ts");
    process.exitCode = await runLogsCommand(config);
  },
};
