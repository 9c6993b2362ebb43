import assert from "node:assert/strict";
import { test } from "node:test";
import { KdiagError } from "../../pkg/errors.ts";
import { readExitCode } from "../../pkg/kube/exec-status.ts";

test("Success is exit code 0", () => {
  assert.equal(readExitCode({ status: "Success" }), 0);
});

test("NonZeroExitCode carries the code in the ExitCode cause", () => {
  assert.equal(
    readExitCode({
      status: "Failure",
      reason: "NonZeroExitCode",
      message: "command terminated with non-zero exit code: error executing command [sh -c exit 7], exit code 7",
      details: { causes: [{ reason: "ExitCode", message: "7" }] },
    }),
    7,
  );
});

test("a failure that is not an exit code is an error with the API's message", () => {
  assert.throws(
    () => readExitCode({ status: "Failure", reason: "InternalError", message: "container not found (\"kdiag-x\")" }),
    (error: unknown) => error instanceof KdiagError && error.message === 'the command could not run: container not found ("kdiag-x")',
  );
});
