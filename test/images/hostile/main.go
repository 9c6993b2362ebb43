// The hostile neighbour of the security tests: a container sharing the pod's network namespace
// (so its loopback) with kdiag's privileged manager, as any sidecar of a real pod does. It polls
// /proc/net/tcp{,6} every 20 ms; for every listener on loopback or on any address it has not seen
// yet it connects at once (a short-lived port that serves whoever comes first is the bug we look
// for), writes its own recognizable bytes, reads what it is given, and logs one JSON line per
// event on stdout, which the tests read with `kubectl logs -c hostile`:
//
//	listener {port,address,inode}   connected   sent {bytes,h2}   received {bytes,sample}
//	closed {bytes,how: eof|timeout|reset|…}   refused   error {stage,error}   cap
//
// It never exits on its own (only on SIGTERM/SIGINT), and every connection is bounded.
// Build with CGO_ENABLED=0: the image has no libc.
package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"
)

const (
	pollEvery      = 20 * time.Millisecond
	burst          = 3           // connections at once to a listener first seen,
	againEvery     = time.Second // then one more each second while it stays listed,
	perListenerCap = 12          // up to this many in all;
	globalCap      = 5000        // over the life of the process;
	concurrentCap  = 16          // open at once
	dialTimeout    = 300 * time.Millisecond
	lifetime       = 1500 * time.Millisecond // of one connection, reading included
)

// An HTTP/2 client preface and an empty SETTINGS frame: a plaintext gRPC server answers it.
const h2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00"

var (
	logMu sync.Mutex
	slots = make(chan struct{}, concurrentCap)
)

// logEvent writes one JSON line; connections log concurrently, so one writer at a time.
func logEvent(event string, l listener, fields map[string]any) {
	line := map[string]any{"event": event}
	if l.ip.IsValid() {
		line["port"], line["address"] = l.port, l.ip.String()
	}
	for k, v := range fields {
		line[k] = v
	}
	text, _ := json.Marshal(line)
	logMu.Lock()
	defer logMu.Unlock()
	os.Stdout.Write(append(text, '\n'))
}

// attack makes one bounded connection to l. Even attempts speak HTTP/2 before the marker line,
// odd ones only the marker; both read from the first moment, for listeners that talk first.
func attack(l listener, attempt int) {
	slots <- struct{}{}
	defer func() { <-slots }()
	at := map[string]any{"attempt": attempt}
	conn, err := net.DialTimeout("tcp", net.JoinHostPort(dialAddress(l).String(), strconv.Itoa(l.port)), dialTimeout)
	if errors.Is(err, syscall.ECONNREFUSED) {
		logEvent("refused", l, at)
		return
	} else if err != nil {
		logEvent("error", l, map[string]any{"attempt": attempt, "stage": "dial", "error": err.Error()})
		return
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(lifetime))
	logEvent("connected", l, map[string]any{"attempt": attempt, "local": conn.LocalAddr().String()})

	type result struct {
		data []byte
		err  error
	}
	got := make(chan result, 1)
	go func() {
		data, err := io.ReadAll(conn) // ends at EOF, reset or the deadline
		got <- result{data, err}
	}()
	payload := fmt.Sprintf("HOSTILE-INJECT %d\n", l.port)
	if attempt%2 == 0 {
		payload = h2Preface + payload
	}
	if _, err := conn.Write([]byte(payload)); err != nil {
		logEvent("error", l, map[string]any{"attempt": attempt, "stage": "write", "error": err.Error()})
	} else {
		logEvent("sent", l, map[string]any{"attempt": attempt, "bytes": len(payload), "h2": attempt%2 == 0})
	}
	r := <-got
	if len(r.data) > 0 {
		logEvent("received", l, map[string]any{"attempt": attempt, "bytes": len(r.data), "sample": escape(r.data, 64)})
	}
	logEvent("closed", l, map[string]any{"attempt": attempt, "bytes": len(r.data), "how": describeEnd(r.err)})
}

func describeEnd(err error) string {
	var netErr net.Error
	switch {
	case err == nil:
		return "eof"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timeout"
	case errors.Is(err, syscall.ECONNRESET):
		return "reset"
	default:
		return err.Error()
	}
}

// dialAddress is where to reach l from inside the pod: itself, or the loopback of its family.
func dialAddress(l listener) netip.Addr {
	switch {
	case l.ip.IsLoopback():
		return l.ip
	case l.ip.Is4():
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	default:
		return netip.IPv6Loopback()
	}
}

func main() {
	stop := make(chan os.Signal, 1) // as PID 1 we get only the signals we handle
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() { <-stop; os.Exit(0) }()

	logEvent("start", listener{}, map[string]any{"uid": os.Getuid()})
	attempts := map[listener]int{}      // per listener now listed
	nextTry := map[listener]time.Time{} // when it gets its next connection
	total, lastProcError := 0, ""
	for ; ; time.Sleep(pollEvery) {
		listeners, err := readListeners()
		if err != nil && err.Error() != lastProcError { // say it once, keep polling
			logEvent("error", listener{}, map[string]any{"stage": "proc", "error": err.Error()})
		}
		lastProcError = fmt.Sprint(err)
		own, now, listed := ownSocketInodes(), time.Now(), map[listener]bool{}
		for _, l := range listeners {
			if own[l.inode] || !(l.ip.IsLoopback() || l.ip.IsUnspecified()) {
				continue
			}
			listed[l] = true
			n, seen := attempts[l]
			if !seen {
				logEvent("listener", l, map[string]any{"inode": l.inode})
			}
			if now.Before(nextTry[l]) || n >= perListenerCap {
				continue
			}
			count := 1
			if !seen {
				count = burst
			}
			for i := 0; i < count && n < perListenerCap; i++ {
				if total >= globalCap {
					if total == globalCap { // said once
						logEvent("cap", l, map[string]any{"connections": total})
						total++
					}
					break
				}
				go attack(l, n)
				n, total = n+1, total+1
			}
			attempts[l], nextTry[l] = n, now.Add(againEvery)
		}
		for l := range attempts { // gone: should the port come back, it is a new listener
			if !listed[l] {
				delete(attempts, l)
				delete(nextTry, l)
			}
		}
	}
}
