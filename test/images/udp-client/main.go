// A UDP client that keeps one conversation: every datagram leaves from the same local port, so
// the node's conntrack keeps one entry for it and a Service's NAT keeps sending it to the endpoint
// that entry names — the client whose stale entry `rules --conntrack-delete` exists to fix.
//
// Usage: udp-client [-from PORT] [-every DURATION] HOST:PORT
// Prints each reply line, or "no reply from HOST:PORT" when none comes within a second.
package main

import (
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

func main() {
	from := flag.Int("from", 40000, "local UDP port every datagram leaves from")
	every := flag.Duration("every", time.Second, "time between datagrams")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: udp-client [-from PORT] [-every DURATION] HOST:PORT")
		os.Exit(2)
	}
	target := flag.Arg(0)
	remote, err := net.ResolveUDPAddr("udp", target)
	if err != nil {
		fmt.Fprintf(os.Stderr, "udp-client: %v\n", err)
		os.Exit(2)
	}
	conn, err := net.DialUDP("udp", &net.UDPAddr{Port: *from}, remote)
	if err != nil {
		fmt.Fprintf(os.Stderr, "udp-client: %v\n", err)
		os.Exit(1)
	}

	// PID 1 of its container gets only the signals it handles.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		os.Exit(0)
	}()

	buf := make([]byte, 2048)
	for {
		if _, err := conn.Write([]byte("ping\n")); err != nil {
			fmt.Printf("send to %s failed: %v\n", target, err)
		} else {
			conn.SetReadDeadline(time.Now().Add(time.Second))
			if n, err := conn.Read(buf); err != nil {
				fmt.Printf("no reply from %s\n", target)
			} else {
				fmt.Println(strings.TrimSpace(string(buf[:n])))
			}
		}
		time.Sleep(*every)
	}
}
