// The in-pod manager's entry point: flags, then manager/run.ts. No logic here.
import { parseArgs } from "node:util";
import { defaultCredentialFile } from "../manager/credential.ts";
import { defaultListenAddress, parseListenAddress } from "../manager/listen-address.ts";
import { writeLog } from "../manager/log.ts";
import { runManager } from "../manager/run.ts";

try {
  const { values } = parseArgs({ options: { listen: { type: "string" }, "credential-file": { type: "string" } }, strict: true });
  const listen = values.listen === undefined ? defaultListenAddress : parseListenAddress(values.listen);
  await runManager({ listen, credentialFile: values["credential-file"] ?? defaultCredentialFile, log: writeLog });
} catch (error) {
  process.stderr.write(`kdiag-manager: ${(error as Error).message}\n`);
  process.exit(1);
}
