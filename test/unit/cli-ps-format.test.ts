import assert from "node:assert/strict";
import { test } from "node:test";
import { load } from "js-yaml";
import { formatPsTable, toPsDocument } from "../../pkg/commands/ps/format.ts";
import { formatData } from "../../pkg/output/data.ts";

const formatPsJson = (list: typeof processes) => formatData(toPsDocument(list), "json");

const processes = [
  { pid: 7, ppid: 1, name: "sh", cmdline: ["/bin/sh", "-c", "sleep 1000"], listening: [] },
  {
    pid: 1,
    ppid: 0,
    name: "server",
    cmdline: ["/server", "8080"],
    listening: [
      { protocol: "tcp6", address: "::", port: 8080 },
      { protocol: "udp", address: "0.0.0.0", port: 53 },
    ],
  },
  { pid: 12, ppid: 1, name: "kworker", cmdline: [], listening: [] },
];

test("the table lists processes by PID with their listening addresses; COMMAND is last and whole", () => {
  assert.equal(
    formatPsTable(processes),
    [
      "PID  PPID  NAME     LISTEN                         COMMAND",
      "1    0     server   [::]:8080/tcp6,0.0.0.0:53/udp  /server 8080",
      "7    1     sh       -                              /bin/sh -c sleep 1000",
      "12   1     kworker  -                              [kworker]",
      "",
    ].join("\n"),
  );
});

test("a process cannot write to the terminal or forge a row through its name or command line", () => {
  const hostile = [
    { pid: 1, ppid: 0, name: "server", cmdline: ["/server"], listening: [] },
    {
      pid: 9,
      ppid: 1,
      name: "ev\til\x1b[2J",
      cmdline: ["sleep", "1000\x1b]52;c;ZXZpbA==\x07", "\r1    0     server   -       /server\n"],
      listening: [],
    },
    { pid: 10, ppid: 1, name: "\x9b31m", cmdline: [], listening: [] },
  ];
  assert.equal(
    formatPsTable(hostile),
    [
      "PID  PPID  NAME         LISTEN  COMMAND",
      "1    0     server       -       /server",
      "9    1     ev\\til\\e[2J  -       sleep 1000\\e]52;c;ZXZpbA==\\a \\r1    0     server   -       /server\\n",
      "10   1     \\x9b31m      -       [\\x9b31m]",
      "",
    ].join("\n"),
  );
  // -o json and -o yaml escape them too (C1 controls included) and still parse to the same names.
  const json = formatPsJson(hostile);
  assert.ok(json.includes('"1000\\u001b]52;c;ZXZpbA==\\u0007"'));
  assert.ok(json.includes('"name": "\\u009b31m"'), json);
  const yaml = formatData(toPsDocument(hostile), "yaml");
  assert.ok(yaml.includes('name: "\\x9B31m"'), yaml);
  assert.doesNotMatch(json + yaml, /[\x1b\x07\x9b\r]/);
  assert.deepEqual(JSON.parse(json), load(yaml));
  assert.equal((JSON.parse(json) as { processes: Array<{ name: string }> }).processes[2]?.name, "\x9b31m");
});

test("-o json is one document: processes by PID, each with pid, ppid, name, cmdline and listening", () => {
  const document = JSON.parse(formatPsJson(processes)) as { processes: object[] };
  assert.deepEqual(document.processes.map((process) => (process as { pid: number }).pid), [1, 7, 12]);
  assert.deepEqual(document.processes[0], processes[1]);
  assert.deepEqual(Object.keys(document.processes[0] ?? {}), ["pid", "ppid", "name", "cmdline", "listening"]);
});

test("-o yaml is the same document in YAML, every string quoted", () => {
  const yaml = formatData(toPsDocument(processes.slice(1, 2)), "yaml");
  assert.equal(
    yaml,
    [
      "processes:",
      "  - pid: 1",
      "    ppid: 0",
      '    name: "server"',
      "    cmdline:",
      '      - "/server"',
      '      - "8080"',
      "    listening:",
      '      - protocol: "tcp6"',
      '        address: "::"',
      "        port: 8080",
      '      - protocol: "udp"',
      '        address: "0.0.0.0"',
      "        port: 53",
      "",
    ].join("\n"),
  );
});

test("version -o json|yaml gives the version and the default manager image; -o table is refused by name", async () => {
  const { formatVersion } = await import("../../pkg/commands/version/main.ts");
  const { toVersionConfig } = await import("../../pkg/commands/version/config.ts");
  assert.deepEqual(JSON.parse(formatVersion(toVersionConfig({ output: "json" }))), { version: "0.0.0-dev", managerImage: "kdiag/manager:v0.0.0-dev" });
  assert.equal(formatVersion(toVersionConfig({ output: "yaml" })), 'version: "0.0.0-dev"\nmanagerImage: "kdiag/manager:v0.0.0-dev"\n');
  assert.equal(formatVersion(toVersionConfig({})), "kdiag 0.0.0-dev\nmanager image kdiag/manager:v0.0.0-dev\n");
  assert.throws(() => toVersionConfig({ output: "table" }), { message: "-o `table` is not an output format; use one of text, json, yaml" });
});
