// A tiny static HTTP server that stands in for an application in a distroless or scratch image:
// the namespace tests run it as PID 1 of a "container" whose root holds nothing else, and the
// cluster tests build it into a scratch image. Build with CGO_ENABLED=0 so it needs no libc.
//
// Usage: server [PORT]   (or PORT in the environment; default 8080)
// Answers every request with "hello from <hostname>\n" and logs one line per request to stdout.
// With UDP_PORT set it also answers every datagram arriving on that UDP port the same way, for the
// Service stories whose clients speak UDP (DNS-like: one datagram out, one back).
package main

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	port := os.Getenv("PORT")
	if len(os.Args) > 1 {
		port = os.Args[1]
	}
	if port == "" {
		port = "8080"
	}

	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		// Read per request: the test fixture sets the UTS hostname after the process starts.
		hostname, _ := os.Hostname()
		fmt.Fprintf(w, "hello from %s\n", hostname)
		fmt.Printf("%s %s %s\n", r.RemoteAddr, r.Method, r.URL.Path)
	})

	// As PID 1 of a pid namespace a process gets only the signals it handles, so handle
	// SIGTERM/SIGINT explicitly: the kubelet and the test fixtures stop us with SIGTERM.
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-stop
		os.Exit(0)
	}()

	if udpPort := os.Getenv("UDP_PORT"); udpPort != "" {
		go serveUDP(udpPort)
	}

	fmt.Printf("listening on :%s\n", port)
	// ":port" listens on every IPv4 and IPv6 address of the network namespace.
	if err := http.ListenAndServe(":"+port, nil); err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
}

// serveUDP answers each datagram with one "hello from <hostname>\n", so a client can tell which
// endpoint of a Service its datagrams reach.
func serveUDP(port string) {
	conn, err := net.ListenPacket("udp", ":"+port)
	if err != nil {
		fmt.Fprintf(os.Stderr, "server: %v\n", err)
		os.Exit(1)
	}
	fmt.Printf("answering udp on :%s\n", port)
	buf := make([]byte, 2048)
	for {
		_, from, err := conn.ReadFrom(buf)
		if err != nil {
			fmt.Fprintf(os.Stderr, "server: %v\n", err)
			os.Exit(1)
		}
		hostname, _ := os.Hostname()
		conn.WriteTo([]byte("hello from "+hostname+"\n"), from)
		fmt.Printf("%s udp\n", from)
	}
}
