import assert from "node:assert/strict";
import { test } from "node:test";
import {
  addOwnedTable,
  addRedirect,
  addSyncMarker,
  deleteRedirect,
  deleteTable,
  deleteTableArgs,
  parseTables,
} from "../../manager/nft-commands.ts";

test("the manager's table is owner-flagged so the kernel drops it with the manager", () => {
  assert.equal(addOwnedTable("kdiag_7_a1b2c3"), "add table inet kdiag_7_a1b2c3 { flags owner; }");
});

test("an incoming redirect is one chain at prerouting before a mesh's rules, and a guard that resets direct dials of the listener", () => {
  assert.equal(
    addRedirect({ table: "kdiag_7", direction: "incoming", port: 8080, toPort: 40000 }),
    "add chain inet kdiag_7 incoming_8080 { type nat hook prerouting priority dstnat - 10; }; " +
      'add rule inet kdiag_7 incoming_8080 tcp dport 8080 redirect to :40000 comment "kdiag port 8080"; ' +
      "add chain inet kdiag_7 incoming_8080_guard { type filter hook input priority -10; }; " +
      'add rule inet kdiag_7 incoming_8080_guard tcp dport 40000 ct status dnat accept comment "kdiag port 8080"; ' +
      'add rule inet kdiag_7 incoming_8080_guard tcp dport 40000 reject with tcp reset comment "kdiag port 8080"',
  );
});

test("an outgoing redirect DNATs to loopback listeners, one per family, leaving loopback destinations alone", () => {
  assert.equal(
    addRedirect({ table: "kdiag_7", direction: "outgoing", port: 15012, toPort4: 40001, toPort6: 40002 }),
    "add chain inet kdiag_7 outgoing_15012 { type nat hook output priority -110; }; " +
      "add rule inet kdiag_7 outgoing_15012 ip daddr != 127.0.0.0/8 tcp dport 15012 " +
      'dnat ip to 127.0.0.1:40001 comment "kdiag port 15012"; ' +
      "add rule inet kdiag_7 outgoing_15012 ip6 daddr != ::1 tcp dport 15012 " +
      'dnat ip6 to [::1]:40002 comment "kdiag port 15012"; ' +
      "add chain inet kdiag_7 outgoing_15012_guard { type filter hook input priority -10; }; " +
      'add rule inet kdiag_7 outgoing_15012_guard tcp dport { 40001, 40002 } ct status dnat accept comment "kdiag port 15012"; ' +
      'add rule inet kdiag_7 outgoing_15012_guard tcp dport { 40001, 40002 } reject with tcp reset comment "kdiag port 15012"',
  );
});

test("an outgoing redirect in a pod without IPv6 has no IPv6 rule", () => {
  assert.equal(
    addRedirect({ table: "kdiag_7", direction: "outgoing", port: 80, toPort4: 40001 }),
    "add chain inet kdiag_7 outgoing_80 { type nat hook output priority -110; }; " +
      'add rule inet kdiag_7 outgoing_80 ip daddr != 127.0.0.0/8 tcp dport 80 dnat ip to 127.0.0.1:40001 comment "kdiag port 80"; ' +
      "add chain inet kdiag_7 outgoing_80_guard { type filter hook input priority -10; }; " +
      'add rule inet kdiag_7 outgoing_80_guard tcp dport 40001 ct status dnat accept comment "kdiag port 80"; ' +
      'add rule inet kdiag_7 outgoing_80_guard tcp dport 40001 reject with tcp reset comment "kdiag port 80"',
  );
});

test("removing a redirect deletes its chain, and the table goes with one command", () => {
  assert.equal(
    deleteRedirect({ table: "kdiag_7", direction: "incoming", port: 8080 }),
    "delete chain inet kdiag_7 incoming_8080; delete chain inet kdiag_7 incoming_8080_guard",
  );
  assert.equal(deleteTable({ family: "inet", name: "kdiag_7" }), "delete table inet kdiag_7");
  assert.deepEqual(deleteTableArgs({ family: "ip", name: "kdiag" }), ["delete", "table", "ip", "kdiag"]);
});

test("the sync marker is a lookup of a table that does not exist", () => {
  assert.equal(addSyncMarker("kdiag_sync_12_3"), "list table inet kdiag_sync_12_3");
});

test("`nft list tables` output is read into family and name, ignoring anything else", () => {
  assert.deepEqual(parseTables("table ip nat\ntable inet kdiag_7_a1\n\ntable ip6 kdiag\nnonsense here\ntable foo bar\n"), [
    { family: "ip", name: "nat" },
    { family: "inet", name: "kdiag_7_a1" },
    { family: "ip6", name: "kdiag" },
  ]);
});
