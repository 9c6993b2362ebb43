import assert from "node:assert/strict";
import { test } from "node:test";
import { UsageError } from "../../pkg/errors.ts";
import { toLogsConfig } from "../../pkg/commands/logs/config.ts";

test("selectors and pods may each carry a container after a colon", () => {
  const config = toLogsConfig({ selector: ["app=server", "app=mesh,tier=edge:proxy"], pod: ["db-0", "db-1:sidecar"] });
  assert.deepEqual(config.sources, [
    { kind: "selector", selector: "app=server" },
    { kind: "selector", selector: "app=mesh,tier=edge", container: "proxy" },
    { kind: "pod", name: "db-0" },
    { kind: "pod", name: "db-1", container: "sidecar" },
  ]);
});

test("defaults: text output, no timestamps, a 2 s drain, no command, notes shown", () => {
  // The connection options are the shared ones (pkg/kube/options.ts), tested there.
  const { kube: _kube, ...config } = toLogsConfig({ selector: ["app=server"] });
  assert.deepEqual(config, {
    sources: [{ kind: "selector", selector: "app=server" }],
    allContainers: false,
    sinceMs: 0,
    timestamps: false,
    drainMs: 2000,
    output: "text",
    command: [],
    quiet: false,
  });
});

test("--since, --drain, -c, -o json and the command are carried through", () => {
  const config = toLogsConfig({
    pod: ["web"],
    container: "app",
    since: "1m30s",
    drain: "500ms",
    output: "json",
    timestamps: true,
    command: ["curl", "-s", "http://x"],
  });
  assert.equal(config.sinceMs, 90_000);
  assert.equal(config.drainMs, 500);
  assert.equal(config.container, "app");
  assert.equal(config.output, "json");
  assert.equal(config.timestamps, true);
  assert.deepEqual(config.command, ["curl", "-s", "http://x"]);
});

test("nothing to follow is a usage error that names both flags", () => {
  assert.throws(() => toLogsConfig({}), new UsageError("logs needs pods to follow; give -l SELECTOR or --pod NAME (each may repeat)"));
});

test("an empty container suffix or name is refused", () => {
  assert.throws(() => toLogsConfig({ pod: ["web:"] }), new UsageError("--pod `web:` is incomplete; use --pod VALUE or --pod VALUE:CONTAINER"));
  assert.throws(() => toLogsConfig({ selector: [":app"] }), new UsageError("-l `:app` is incomplete; use -l VALUE or -l VALUE:CONTAINER"));
});

test("--all cannot be combined with a chosen container", () => {
  assert.throws(
    () => toLogsConfig({ pod: ["web"], all: true, container: "app" }),
    new UsageError("--all and -c cannot be used together; --all already follows every container"),
  );
  assert.throws(
    () => toLogsConfig({ pod: ["web:app"], all: true }),
    new UsageError("--all follows every container; drop the `:container` suffix or drop --all"),
  );
});

test("an unknown output format or a bad duration names the flag", () => {
  assert.throws(() => toLogsConfig({ pod: ["web"], output: "yaml" }), new UsageError("-o `yaml` is not an output format; use one of text, json"));
  assert.throws(
    () => toLogsConfig({ pod: ["web"], drain: "soon" }),
    new UsageError("--drain `soon` is not a duration (examples: 30s, 2m, 1m30s, 500ms)"),
  );
});

test("a command typed without `--` is refused with the fix", () => {
  assert.throws(
    () => toLogsConfig({ selector: ["app=web"], stray: ["curl", "http://x"] }),
    new UsageError("`curl` is not an option of logs; put the command after `--`, e.g. `logs -l app=web -- curl …`"),
  );
});
