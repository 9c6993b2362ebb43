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

test("-o json is the manager's answer as one JSON document", () => {
  assert.deepEqual(JSON.parse(formatPsJson(processes)), { processes });
});
