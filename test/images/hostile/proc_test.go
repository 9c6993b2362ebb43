package main

import (
	"net/netip"
	"testing"
)

// Rows as Linux prints them (little-endian words): what the poller must and must not pick up.
const procNetTCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1001 1 0000000000000000 100 0 0 10 0
   1: 00000000:1B59 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1002 1 0000000000000000 100 0 0 10 0
   2: 0100007F:1F90 0100007F:D3A2 01 00000000:00000000 00:00000000 00000000     0        0 1003 1 0000000000000000 20 4 30 10 -1
   3: 0900580A:2382 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1004 1 0000000000000000 100 0 0 10 0
`

const procNetTCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000001000000:1B5B 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2001 1 0000000000000000 100 0 0 10 0
   1: 00000000000000000000000000000000:1B5C 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2002 1 0000000000000000 100 0 0 10 0
   2: 0000000000000000FFFF00000100007F:1B5D 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 2003 1 0000000000000000 100 0 0 10 0
`

func TestParseListenersReadsOnlyListenRowsWithAddressPortAndInode(t *testing.T) {
	want := []listener{
		{netip.MustParseAddr("127.0.0.1"), 8080, 1001},
		{netip.MustParseAddr("0.0.0.0"), 7001, 1002},
		{netip.MustParseAddr("10.88.0.9"), 9090, 1004},
		{netip.MustParseAddr("::1"), 7003, 2001},
		{netip.MustParseAddr("::"), 7004, 2002},
		{netip.MustParseAddr("127.0.0.1"), 7005, 2003}, // v4-mapped, unmapped
	}
	got := append(parseListeners(procNetTCP), parseListeners(procNetTCP6)...)
	if len(got) != len(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: got %v, want %v", i, got[i], want[i])
		}
	}
}

func TestEscapeKeepsPrintableASCIIAndHexesTheRest(t *testing.T) {
	if got := escape([]byte("ok\\\r\n\x00\xff"), 64); got != `ok\\\x0d\x0a\x00\xff` {
		t.Errorf("got %q", got)
	}
	if got := escape([]byte("abcdef"), 3); got != "abc" {
		t.Errorf("got %q", got)
	}
}
