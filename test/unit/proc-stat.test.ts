import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseCmdline, parseStat } from "../../manager/proc-stat.ts";

describe("reading a process's stat and command line", () => {
  it("takes pid, parent and name from a stat line", () => {
    const line = "24781 (server) S 24780 24780 24705 0 -1 4194560 1142 0 0 0 1 0 0 0 20 0 6 0 4402 1240174592 1603 18446744073709551615";
    assert.deepEqual(parseStat(line), { pid: 24781, ppid: 24780, name: "server" });
  });

  it("keeps a name that holds spaces and parentheses", () => {
    assert.deepEqual(parseStat("77 (my (odd) name) R 1 77 77 0 -1"), { pid: 77, ppid: 1, name: "my (odd) name" });
  });

  it("splits the command line at NULs", () => {
    assert.deepEqual(parseCmdline("/server\u00008081\u0000"), ["/server", "8081"]);
    assert.deepEqual(parseCmdline("sh\u0000-c\u0000\u0000"), ["sh", "-c", ""]);
    assert.deepEqual(parseCmdline(""), []);
  });
});
