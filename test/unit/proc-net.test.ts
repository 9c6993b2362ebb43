import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIpv6, parseHexAddress, parseSocketInode, parseSocketTable } from "../../manager/proc-net.ts";

// Lines copied from /proc/net/* of a Linux 6.x x86_64 machine.
const tcp = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1083 1 00000000d615dc4f 100 0 0 10 0
   1: 0100007F:9EF2 0100007F:89E5 06 00000000:00000000 03:0000131B 00000000     0        0 0 3 00000000455409a1
   0: 0700C80A:3A99 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 62701 1 0000000058cfc02b 100 0 0 10 0
   2: 020200C0:B254 507100CB:0050 01 00000000:00000000 03:0000097B 00000000     0        0 4242 3 00000000e83cdadf
`;
const tcp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:E617 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 59023 1 000000004a2be319 100 0 0 10 0
   1: 00000000000000000000000000000000:20FB 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 59024 1 000000008d8f5712 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:20FC 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 59027 1 000000000b271713 100 0 0 10 0
   0: B80D0120000000000000000005000000:2382 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 62700 1 000000000b271713 100 0 0 10 0
`;
const udp = `   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 2717: 0100007F:14E9 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 59025 2 0000000047c03f4b 0
`;
const udp6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 2718: 00000000000000000000000000000000:14EA 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 59026 2 000000005cf26916 0
 8953: 00000000000000000000000001000000:ED45 00000000000000000000000001000000:0009 01 00000000:00000000 00:00000000 00000000     0        0 59028 2 00000000724b416d 0
`;

describe("reading the kernel's socket tables", () => {
  it("lists TCP sockets in LISTEN by inode, and not connected or time-wait ones", () => {
    assert.deepEqual(
      [...parseSocketTable({ table: "tcp", text: tcp })],
      [
        ["1083", { protocol: "tcp", address: "0.0.0.0", port: 2024 }],
        ["62701", { protocol: "tcp", address: "10.200.0.7", port: 15001 }],
      ],
    );
  });

  it("lists IPv6 listeners on loopback, any address, a v4-mapped address and a global address", () => {
    assert.deepEqual(
      [...parseSocketTable({ table: "tcp6", text: tcp6 })],
      [
        ["59023", { protocol: "tcp6", address: "::1", port: 58903 }],
        ["59024", { protocol: "tcp6", address: "::", port: 8443 }],
        ["59027", { protocol: "tcp6", address: "::ffff:127.0.0.1", port: 8444 }],
        ["62700", { protocol: "tcp6", address: "2001:db8::5", port: 9090 }],
      ],
    );
  });

  it("lists bound UDP sockets and leaves out connected ones", () => {
    assert.deepEqual([...parseSocketTable({ table: "udp", text: udp })], [["59025", { protocol: "udp", address: "127.0.0.1", port: 5353 }]]);
    assert.deepEqual([...parseSocketTable({ table: "udp6", text: udp6 })], [["59026", { protocol: "udp6", address: "::", port: 5354 }]]);
  });

  it("reads an empty or missing table as no sockets", () => {
    assert.equal(parseSocketTable({ table: "tcp6", text: "" }).size, 0);
  });
});

describe("formatting socket addresses", () => {
  it("undoes the host byte order of each 32-bit word", () => {
    assert.equal(parseHexAddress("0100007F", "LE"), "127.0.0.1");
    assert.equal(parseHexAddress("7F000001", "BE"), "127.0.0.1");
    assert.equal(parseHexAddress("B80D0120000000000000000005000000", "LE"), "2001:db8::5");
    assert.equal(parseHexAddress("20010DB8000000000000000000000005", "BE"), "2001:db8::5");
  });

  it("writes IPv6 as RFC 5952 text", () => {
    const bytes = (hex: string) => hex.match(/../g)!.map((b) => parseInt(b, 16));
    assert.equal(formatIpv6(bytes("fe800000000000004095f4fffe8dbe47")), "fe80::4095:f4ff:fe8d:be47");
    assert.equal(formatIpv6(bytes("20010db8000000010000000000000001")), "2001:db8:0:1::1");
    assert.equal(formatIpv6(bytes("20010db8000100000001000100010001")), "2001:db8:1:0:1:1:1:1");
    assert.equal(formatIpv6(bytes("20010000000000010000000000000001")), "2001:0:0:1::1");
    assert.equal(formatIpv6(bytes("fe800000000000000000000000000000")), "fe80::");
  });

  it("rejects an address of the wrong length", () => {
    assert.throws(() => parseHexAddress("0100"), /unexpected socket address "0100"/);
  });
});

describe("matching fds to sockets", () => {
  it("takes the inode of socket fds only", () => {
    assert.equal(parseSocketInode("socket:[59023]"), "59023");
    assert.equal(parseSocketInode("pipe:[59023]"), undefined);
    assert.equal(parseSocketInode("/dev/null"), undefined);
  });
});
