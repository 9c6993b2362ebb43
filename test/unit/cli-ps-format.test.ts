import assert from "node:assert/strict";
import { test } from "node:test";
import { formatPsJson, formatPsTable } from "../../pkg/commands/ps/format.ts";

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
  // -o json escapes through JSON.stringify, as it always did.
  assert.ok(formatPsJson(hostile).includes('"1000\\u001b]52;c;ZXZpbA==\\u0007"'));
});

test("-o json is the manager's answer as one JSON document", () => {
  assert.deepEqual(JSON.parse(formatPsJson(processes)), { processes });
});
