// The exec protocol ends with a V1Status on channel 3: Success, or NonZeroExitCode with the code
// in details.causes[reason=ExitCode], or a Failure that is not about the command at all.

import { KdiagError } from "../errors.ts";

export interface ExecStatus {
  status?: string;
  reason?: string;
  message?: string;
  details?: { causes?: Array<{ reason?: string; message?: string }> };
}

export function readExitCode(status: ExecStatus): number {
  if (status.status === "Success") return 0;
  if (status.reason === "NonZeroExitCode") {
    const cause = status.details?.causes?.find((candidate) => candidate.reason === "ExitCode");
    const code = Number.parseInt(cause?.message ?? "", 10);
    if (Number.isInteger(code)) return code;
  }
  throw new KdiagError(`the command could not run: ${(status.message ?? "unknown failure").replace(/\s+/g, " ").trim()}`);
}
