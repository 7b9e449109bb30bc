package webhook

import (
	"net"
	"net/netip"
	"sync"
)

// MaxConnsPerClient bounds the connections one client address holds open
// at once. GitHub opens a few at a time; a reverse proxy in front of the App
// counts as one client and keeps far fewer than this in its pool. A client
// that holds this many (each an unsigned request that sends its headers and
// then nothing, say) gets its next connections closed on arrival, so it
// cannot take the server's goroutines, memory or body slots from others.
const MaxConnsPerClient = 128

// LimitClients returns ln, accepting at most perClient open connections
// from one client. A client is an IPv4 address or an IPv6 /64, the block a
// single host usually holds. A connection past the limit is closed before a
// byte is read, and refused is called.
func LimitClients(ln net.Listener, perClient int, refused func()) net.Listener {
	return &clientLimiter{Listener: ln, perClient: perClient, refused: refused, open: map[netip.Prefix]int{}}
}

type clientLimiter struct {
	net.Listener
	perClient int
	refused   func()

	mu   sync.Mutex
	open map[netip.Prefix]int // open connections by client
}

// Accept returns the next connection within its client's limit.
func (l *clientLimiter) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		client := clientOf(c.RemoteAddr())
		l.mu.Lock()
		full := l.open[client] >= l.perClient
		if !full {
			l.open[client]++
		}
		l.mu.Unlock()
		if full {
			c.Close()
			if l.refused != nil {
				l.refused()
			}
			continue
		}
		return &clientConn{Conn: c, release: func() { l.release(client) }}, nil
	}
}

func (l *clientLimiter) release(client netip.Prefix) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[client]--; l.open[client] <= 0 {
		delete(l.open, client)
	}
}

// clientOf is the client a remote address belongs to; addresses that are
// not IP (a Unix socket) share one.
func clientOf(addr net.Addr) netip.Prefix {
	ap, err := netip.ParseAddrPort(addr.String())
	if err != nil {
		return netip.Prefix{}
	}
	ip := ap.Addr().Unmap()
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits)
	return p
}

// clientConn gives its client's slot back when closed, once.
type clientConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *clientConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// CloseWrite lets the HTTP server half-close a TCP connection, as it does
// for a connection it did not wrap.
func (c *clientConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}
