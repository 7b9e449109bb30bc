package app_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/webhook"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// holdForgedHeaders opens a connection to the App from the loopback address
// from (all of 127/8 is this host, so each address is another client) that
// sends an unsigned delivery's headers declaring a 24 MiB body, then nothing.
func holdForgedHeaders(t *testing.T, appURL, from string) {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", strings.TrimPrefix(appURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\nX-GitHub-Event: issues\r\nX-GitHub-Delivery: forged\r\nContent-Length: %d\r\n\r\n", 24<<20)
}

// TestHostileClientsLeaveRoomForGitHub holds 1,000 unsigned connections
// open against the running App: 600 from one client, past its limit, and 400
// spread over eight others, within theirs. GitHub's delivery (from
// 127.0.0.1) is still stored and answered 202, and handled.
func TestHostileClientsLeaveRoomForGitHub(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	for range 600 {
		holdForgedHeaders(t, h.URL, "127.0.0.2")
	}
	for i := range 400 {
		holdForgedHeaders(t, h.URL, fmt.Sprintf("127.0.1.%d", 1+i%8))
	}
	const wantRefused = 600 - webhook.MaxConnsPerClient
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		refused := h.Counter("ownershipbot_http_connections_refused_total", nil)
		if refused == wantRefused {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%v connections refused on arrival, want %d", refused, wantRefused)
		}
	}
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := len(botComments(t, h, n)); got != 1 {
		t.Fatalf("the issue opened beside the hostile connections got %d bot comments, want 1", got)
	}
}
