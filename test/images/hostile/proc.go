package main

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"strings"
)

// A listening TCP socket of the network namespace. The inode tells a new listener on a port
// from an old one that went away.
type listener struct {
	ip    netip.Addr
	port  int
	inode uint64
}

const tcpListen = "0A" // the st column of /proc/net/tcp for TCP_LISTEN

func readListeners() ([]listener, error) {
	var all []listener
	var failures []string
	for _, path := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		text, err := os.ReadFile(path)
		if err != nil { // tcp6 is missing when IPv6 is off: keep the other
			failures = append(failures, err.Error())
			continue
		}
		all = append(all, parseListeners(string(text))...)
	}
	if len(failures) == 2 {
		return nil, fmt.Errorf("%s", strings.Join(failures, "; "))
	}
	return all, nil
}

// parseListeners reads the LISTEN rows of /proc/net/tcp or tcp6 text:
// "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...",
// where local_address is HEXIP:HEXPORT and the IP is 32-bit words in host (little-endian) order.
func parseListeners(text string) []listener {
	var out []listener
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) < 10 || f[3] != tcpListen {
			continue
		}
		hexIP, hexPort, ok := strings.Cut(f[1], ":")
		raw, err := hex.DecodeString(hexIP)
		port, err2 := strconv.ParseUint(hexPort, 16, 16)
		inode, err3 := strconv.ParseUint(f[9], 10, 64)
		if !ok || err != nil || err2 != nil || err3 != nil || (len(raw) != 4 && len(raw) != 16) {
			continue
		}
		for i := 0; i < len(raw); i += 4 { // each word to network order
			binary.BigEndian.PutUint32(raw[i:], binary.LittleEndian.Uint32(raw[i:]))
		}
		ip, _ := netip.AddrFromSlice(raw)
		out = append(out, listener{ip: ip.Unmap(), port: int(port), inode: inode})
	}
	return out
}

// ownSocketInodes are the sockets this process holds, from /proc/self/fd: never our own target.
func ownSocketInodes() map[uint64]bool {
	own := map[uint64]bool{}
	entries, _ := os.ReadDir("/proc/self/fd")
	for _, e := range entries {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if inode, ok := strings.CutPrefix(target, "socket:["); err == nil && ok {
			if n, err := strconv.ParseUint(strings.TrimSuffix(inode, "]"), 10, 64); err == nil {
				own[n] = true
			}
		}
	}
	return own
}

// escape renders the first max bytes printable: ASCII as is, anything else as \xNN.
func escape(data []byte, max int) string {
	var b strings.Builder
	for i, c := range data {
		if i == max {
			break
		}
		switch {
		case c == '\\':
			b.WriteString(`\\`)
		case c >= 0x20 && c < 0x7f:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, `\x%02x`, c)
		}
	}
	return b.String()
}
