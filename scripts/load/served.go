package main

import (
	"net"
	"sync"
	"time"
)

// servedListener times each request on the server's side of its
// connection: from the read that brings its first bytes to the write that
// answers it. The sender's latency holds more: the time a request waits
// in the socket before the App reads it, which on a machine whose cores
// the App and the sender (wrk) saturate is most of the tail.
type servedListener struct {
	net.Listener
	times *timings
}

func (l *servedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return &servedConn{Conn: c, times: l.times}, nil
}

// servedConn assumes one request at a time per connection, as wrk and the
// load script's senders send them (no pipelining).
type servedConn struct {
	net.Conn
	times *timings

	mu    sync.Mutex
	start time.Time // of the request being answered; zero between requests
}

func (c *servedConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.mu.Lock()
		if c.start.IsZero() {
			c.start = time.Now()
		}
		c.mu.Unlock()
	}
	return n, err
}

func (c *servedConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.mu.Lock()
	if !c.start.IsZero() {
		c.times.add(time.Since(c.start), 1)
		c.start = time.Time{}
	}
	c.mu.Unlock()
	return n, err
}
