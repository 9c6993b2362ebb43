// The executable's first module. Loading yargs and the command tree (cmd/kubectl-kdiag.ts) costs
// more than Node's own start, so the two commands typed without a cluster — `--help` of any
// command and `version` — are answered here with nothing else loaded; everything else is
// cmd/cli.ts (a plain `shell` or `redir` line without yargs, the rest through the command tree),
// which the build turns into one chunk loaded through V8's code cache.
import { getInvocationName } from "../pkg/invocation.ts";
import { findRenderedHelp } from "../pkg/rendered-help.ts";
import { describeVersion } from "../pkg/version.ts";

// The launcher kept NODE_EXTRA_CA_CERTS from Node's start (cmd/launcher.sh, pkg/kube/default-trust.ts);
// the programs kdiag starts (credential plugins, `logs -- CMD`) get it back.
if (process.env.KDIAG_EXTRA_CA_CERTS && !process.env.NODE_EXTRA_CA_CERTS) {
  process.env.NODE_EXTRA_CA_CERTS = process.env.KDIAG_EXTRA_CA_CERTS;
}

const args = process.argv.slice(2);
const invocation = getInvocationName(process.argv[1]);
const help = findRenderedHelp({
  invocation,
  args,
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
});
if (help !== undefined) {
  process.stdout.write(help);
} else if (args.length === 1 && args[0] === "version") {
  process.stdout.write(describeVersion());
} else {
  // No top-level await: the single-executable build bundles this file as CommonJS.
  void import("./cli.ts").then(({ runCli }) => runCli(args, invocation));
}
