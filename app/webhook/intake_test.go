package webhook_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ownershipbot/ownershipbot/app/configcheck"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/installs"
	"github.com/ownershipbot/ownershipbot/app/issues"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/app/webhook"
)

var secret = []byte("s3cret")

const issueOpened = `{"action":"opened","issue":{"number":7},"repository":{"full_name":"Acme/Web"},"installation":{"id":42}}`

func newIntake(t testing.TB) (*webhook.Intake, store.Store, *metrics.Metrics) {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	m := metrics.New(prometheus.NewRegistry())
	return &webhook.Intake{
		Secret: secret, Queue: st, Metrics: m,
		Registry: dispatch.NewRegistry(issues.New(nil), installs.New(installs.Options{}), configcheck.New(configcheck.Options{})),
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)), Now: time.Now,
	}, st, m
}

func post(h http.Handler, event, delivery, sig string, body []byte) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
	if event != "" {
		req.Header.Set("X-GitHub-Event", event)
	}
	if delivery != "" {
		req.Header.Set("X-GitHub-Delivery", delivery)
	}
	if sig != "" {
		req.Header.Set("X-Hub-Signature-256", sig)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestIntakeAnswers(t *testing.T) {
	body := []byte(issueOpened)
	good := webhook.Sign(secret, body)
	tests := []struct {
		name            string
		event, delivery string
		sig             string
		body            []byte
		want            int
		outcome         string
	}{
		{"signed issue is stored and accepted", "issues", "d1", good, body, 202, "accepted"},
		{"missing signature is refused", "issues", "d2", "", body, 401, "rejected"},
		{"wrong secret is refused", "issues", "d3", webhook.Sign([]byte("other"), body), body, 401, "rejected"},
		{"signature of another body is refused", "issues", "d4", webhook.Sign(secret, []byte("{}")), body, 401, "rejected"},
		{"sha1 signature is refused", "issues", "d5", "sha1=" + strings.Repeat("0", 40), body, 401, "rejected"},
		{"missing event header is a bad request", "", "d6", good, body, 400, "rejected"},
		{"missing delivery header is a bad request", "issues", "", good, body, 400, "rejected"},
		{"malformed JSON is a bad request", "issues", "d7", webhook.Sign(secret, []byte("{nope")), []byte("{nope"), 400, "rejected"},
		{"unused event is answered and ignored", "star", "d8", webhook.Sign(secret, []byte(`{"action":"created"}`)), []byte(`{"action":"created"}`), 200, "ignored"},
		{"unused action is answered and ignored", "issues", "d9", webhook.Sign(secret, []byte(`{"action":"milestoned"}`)), []byte(`{"action":"milestoned"}`), 200, "ignored"},
		{"ping is answered", "ping", "d10", webhook.Sign(secret, []byte(`{"zen":"Keep it logically awesome."}`)), []byte(`{"zen":"Keep it logically awesome."}`), 200, "accepted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in, st, m := newIntake(t)
			rec := post(in, tt.event, tt.delivery, tt.sig, tt.body)
			if rec.Code != tt.want {
				t.Fatalf("status = %d (%s), want %d", rec.Code, strings.TrimSpace(rec.Body.String()), tt.want)
			}
			depth, _ := st.Depth(context.Background())
			if stored := depth == 1; stored != (tt.want == 202) {
				t.Fatalf("stored = %v, want %v", stored, tt.want == 202)
			}
			if got := testutil.ToFloat64(m.WebhookDeliveries); got != 1 {
				t.Fatalf("deliveries counted = %v, want 1", got)
			}
			label := tt.event
			if tt.want == 401 {
				label = "unknown" // an unsigned request cannot name a series
			}
			if got := testutil.ToFloat64(m.WebhookDeliveries.WithLabelValues(label, tt.outcome)); got != 1 && tt.event != "" {
				t.Fatalf("outcome %s for %q counted %v times, want 1", tt.outcome, label, got)
			}
		})
	}
}

func TestIntakeStoresDeliveryWithItsOrderKey(t *testing.T) {
	in, st, _ := newIntake(t)
	body := []byte(issueOpened)
	if rec := post(in, "issues", "abc", webhook.Sign(secret, body), body); rec.Code != 202 {
		t.Fatalf("status %d", rec.Code)
	}
	d, ok, err := st.Delivery(context.Background(), "abc")
	if err != nil || !ok {
		t.Fatalf("delivery not stored: %v", err)
	}
	if d.Event != "issues" || d.Action != "opened" || d.InstallationID != 42 || d.OrderKey != "acme/web#7" || !bytes.Equal(d.Payload, body) {
		t.Fatalf("stored %+v", d)
	}
}

// The queue keeps of an issue's delivery what its handler reads: not who
// sent it, nor the organization or the repository's details.
func TestIntakeStoresOnlyWhatTheHandlerReads(t *testing.T) {
	in, st, _ := newIntake(t)
	body := []byte(`{"action":"opened","issue":{"number":7,"title":"Slow","user":{"login":"author-person"}},` +
		`"repository":{"full_name":"Acme/Web","default_branch":"main","owner":{"login":"Acme"},"private":true},` +
		`"organization":{"login":"Acme","description":"org-text"},"sender":{"login":"sender-person"},"installation":{"id":42}}`)
	if rec := post(in, "issues", "trim", webhook.Sign(secret, body), body); rec.Code != 202 {
		t.Fatalf("status %d", rec.Code)
	}
	d, ok, err := st.Delivery(context.Background(), "trim")
	if err != nil || !ok {
		t.Fatalf("delivery not stored: %v", err)
	}
	want := `{"action":"opened","issue":{"number":7,"title":"Slow","user":{"login":"author-person"}},` +
		`"repository":{"full_name":"Acme/Web","default_branch":"main"},"installation":{"id":42}}`
	if string(d.Payload) != want {
		t.Fatalf("stored payload\n%s\nwant\n%s", d.Payload, want)
	}
}

func TestDuplicateDeliveryIsAnsweredWithoutWork(t *testing.T) {
	in, st, m := newIntake(t)
	body := []byte(issueOpened)
	sig := webhook.Sign(secret, body)
	if rec := post(in, "issues", "same", sig, body); rec.Code != 202 {
		t.Fatalf("first: %d", rec.Code)
	}
	if rec := post(in, "issues", "same", sig, body); rec.Code != 200 {
		t.Fatalf("second: %d, want 200", rec.Code)
	}
	if n, _ := st.Depth(context.Background()); n != 1 {
		t.Fatalf("queue depth %d, want 1", n)
	}
	if got := testutil.ToFloat64(m.WebhookDeliveries.WithLabelValues("issues", "duplicate")); got != 1 {
		t.Fatalf("duplicates counted %v", got)
	}
}

func TestBodyOver25MiBIsRefused(t *testing.T) {
	in, st, _ := newIntake(t)
	big := bytes.Repeat([]byte(" "), webhook.MaxBodyBytes+1)
	rec := post(in, "issues", "big", "sha256="+strings.Repeat("0", 64), big)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
	if n, _ := st.Depth(context.Background()); n != 0 {
		t.Fatal("an oversized body was stored")
	}
}

func TestPushIsUsedOnlyWhenItChangesTheConfig(t *testing.T) {
	in, st, _ := newIntake(t)
	push := func(id, ref, file string) int {
		body := []byte(`{"ref":"` + ref + `","repository":{"full_name":"acme/web","default_branch":"main"},"installation":{"id":1},"commits":[{"added":[],"modified":["` + file + `"],"removed":[]}]}`)
		return post(in, "push", id, webhook.Sign(secret, body), body).Code
	}
	if got := push("p1", "refs/heads/main", "src/app.go"); got != 200 {
		t.Fatalf("push of code: %d, want 200 (ignored)", got)
	}
	if got := push("p2", "refs/heads/feature", ".github/ISSUE_TEMPLATE/bug.md"); got != 200 {
		t.Fatalf("push of a template to a branch: %d, want 200 (ignored: only the default branch's templates are read)", got)
	}
	if got := push("p3", "refs/heads/main", ".github/ownership.yml"); got != 202 {
		t.Fatalf("push changing the config: %d, want 202", got)
	}
	if got := push("p4", "refs/heads/feature", ".github/ownership.yml"); got != 202 {
		t.Fatalf("push changing the config on a branch: %d, want 202 (it gets a check run)", got)
	}
	if n, _ := st.Depth(context.Background()); n != 2 {
		t.Fatalf("stored %d pushes, want 2", n)
	}
}

func TestValidSignatureMatchesGitHubsExample(t *testing.T) {
	// The example from GitHub's docs on validating webhook deliveries.
	if !webhook.ValidSignature([]byte("It's a Secret to Everybody"), []byte("Hello, World!"),
		"sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17") {
		t.Fatal("GitHub's documented example does not verify")
	}
}

func TestDeclaredOversizedBodyIsRefusedUnread(t *testing.T) {
	in, _, _ := newIntake(t)
	req := httptest.NewRequest(http.MethodPost, "/webhook", strings.NewReader("{}"))
	req.ContentLength = webhook.MaxBodyBytes + 1
	req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64))
	rec := httptest.NewRecorder()
	in.ServeHTTP(rec, req)
	if rec.Code != http.StatusRequestEntityTooLarge {
		t.Fatalf("status %d, want 413", rec.Code)
	}
}

// stalledBody sends prefix, then nothing until released, like a slow upload.
type stalledBody struct {
	prefix  io.Reader
	release chan struct{}
}

func (b stalledBody) Read(p []byte) (int, error) {
	if n, _ := b.prefix.Read(p); n > 0 {
		return n, nil
	}
	<-b.release
	return 0, io.EOF
}

// holdHeaders opens a connection from the loopback address from (such as
// "127.0.0.2": all of 127/8 is this host) that sends a forged delivery's
// headers declaring a 24 MiB body (four of them fill a 96 MiB budget
// exactly), then nothing.
func holdHeaders(t testing.TB, addr, from string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
	c, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /webhook HTTP/1.1\r\nHost: x\r\nX-Hub-Signature-256: sha256=00\r\nX-GitHub-Event: issues\r\nX-GitHub-Delivery: forged\r\nContent-Length: %d\r\n\r\n", 24<<20)
	return c
}

// holders is intake served over HTTP as serve serves it, with the limit per
// client, counting the forged requests that reach intake and the
// connections refused on arrival.
type holders struct {
	*httptest.Server
	held, refused atomic.Int64
}

// holdersServer starts a holders server. It closes after the test's held
// connections do.
func holdersServer(t testing.TB) *holders {
	in, _, _ := newIntake(t)
	h := &holders{}
	h.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-GitHub-Delivery") == "forged" {
			h.held.Add(1)
		}
		in.ServeHTTP(w, r)
	}))
	h.Listener = webhook.LimitClients(h.Listener, webhook.MaxConnsPerClient, func() { h.refused.Add(1) })
	h.Start()
	t.Cleanup(h.Close)
	return h
}

// waitFor waits, for at most 10 s, until n reaches want.
func waitFor(t testing.TB, what string, n *atomic.Int64, want int64) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); n.Load() < want; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d, want %d", what, n.Load(), want)
		}
	}
}

// signedDeliveries sends n signed deliveries from 127.0.0.1, as GitHub
// would, and fails the test unless each gets 202.
func signedDeliveries(t testing.TB, url string, n int) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range n {
		body := []byte(issueOpened)
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "issues")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("d-%d", i))
		req.Header.Set("X-Hub-Signature-256", webhook.Sign(secret, body))
		resp, err := client.Do(req)
		if err != nil {
			t.Fatalf("signed delivery %d: %v", i, err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusAccepted {
			t.Fatalf("signed delivery %d got %d while forged headers were held, want 202", i, resp.StatusCode)
		}
	}
}

func TestHeaderHoldersDoNotStarveSignedDeliveries(t *testing.T) {
	srv := holdersServer(t)
	addr := srv.Listener.Addr().String()
	// 200 × 24 MiB declared, from eight addresses (25 each, within the
	// limit per client), is far past the memory budget; four were enough
	// when memory was reserved from Content-Length.
	const holders = 200
	for i := range holders {
		holdHeaders(t, addr, fmt.Sprintf("127.0.0.%d", 2+i%8))
	}
	waitFor(t, "forged requests reaching intake", &srv.held, holders)
	signedDeliveries(t, srv.URL, 20)
}

func TestOneClientHoldsAtMostItsShareOfConnections(t *testing.T) {
	srv := holdersServer(t)
	addr := srv.Listener.Addr().String()
	const holders = webhook.MaxConnsPerClient + 100
	conns := make([]net.Conn, holders)
	for i := range conns {
		conns[i] = holdHeaders(t, addr, "127.0.0.2")
	}
	waitFor(t, "connections refused", &srv.refused, holders-webhook.MaxConnsPerClient)
	waitFor(t, "forged requests reaching intake", &srv.held, webhook.MaxConnsPerClient)
	// The refused ones are closed, not left waiting.
	var closed atomic.Int64
	var read sync.WaitGroup
	for _, c := range conns {
		read.Go(func() {
			c.SetReadDeadline(time.Now().Add(time.Second)) // for those held open
			if _, err := c.Read(make([]byte, 1)); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
				closed.Add(1)
			}
		})
	}
	read.Wait()
	if closed.Load() != holders-webhook.MaxConnsPerClient {
		t.Errorf("%d of %d connections from one client were closed, want %d", closed.Load(), holders, holders-webhook.MaxConnsPerClient)
	}
	if n := srv.held.Load(); n != webhook.MaxConnsPerClient {
		t.Errorf("%d forged requests from one client reached intake, want at most %d", n, webhook.MaxConnsPerClient)
	}
	// Another client, GitHub, is served in full...
	signedDeliveries(t, srv.URL, 20)
	// ...and the client gets its slots back as its connections close.
	for _, c := range conns[:10] {
		c.Close()
	}
	want := srv.held.Load() + 10
	for deadline := time.Now().Add(10 * time.Second); srv.held.Load() < want; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%d forged requests reached intake after ten connections closed, want %d", srv.held.Load(), want)
		}
		holdHeaders(t, addr, "127.0.0.2") // refused until the server sees the ten closed
	}
}

func TestUnsignedBodiesAreCappedWhateverTheirSize(t *testing.T) {
	in, _, _ := newIntake(t)
	in.MaxUnsignedBodies = 2
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	var done sync.WaitGroup
	for range 2 {
		done.Add(1)
		go func() {
			defer done.Done()
			body := stalledBody{strings.NewReader("{"), release}
			req := httptest.NewRequest(http.MethodPost, "/webhook", body)
			req.Header.Set("X-Hub-Signature-256", "sha256=00")
			started <- struct{}{}
			in.ServeHTTP(httptest.NewRecorder(), req)
		}()
	}
	<-started
	<-started
	// Both slots are taken by bodies that send one byte and stall...
	deadline := time.Now().Add(10 * time.Second)
	for {
		rec := post(in, "issues", "third", webhook.Sign(secret, []byte(issueOpened)), []byte(issueOpened))
		if rec.Code == http.StatusServiceUnavailable {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a third body beside two stalled ones got %d, want 503", rec.Code)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// ...and are given back when those bodies end.
	close(release)
	done.Wait()
	if rec := post(in, "issues", "after", webhook.Sign(secret, []byte(issueOpened)), []byte(issueOpened)); rec.Code != http.StatusAccepted {
		t.Fatalf("a signed delivery once the stalled bodies ended got %d, want 202", rec.Code)
	}
}

func TestBodiesThatArriveAreBoundedByTheBudget(t *testing.T) {
	in, _, _ := newIntake(t)
	release := make(chan struct{})
	const sent = 20 << 20 // each sends this much, then stalls
	const senders = 5     // more than the budget holds
	codes := make(chan int, senders)
	var done sync.WaitGroup
	for range senders {
		done.Add(1)
		go func() {
			defer done.Done()
			body := stalledBody{bytes.NewReader(make([]byte, sent)), release}
			req := httptest.NewRequest(http.MethodPost, "/webhook", body)
			req.Header.Set("X-Hub-Signature-256", "sha256=00")
			rec := httptest.NewRecorder()
			in.ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	// Those past the budget are refused while the others still read...
	if code := <-codes; code != http.StatusServiceUnavailable {
		t.Fatalf("a stalled body finished with %d, want 503 once the budget is spent", code)
	}
	// ...and a small signed delivery still fits in what is left.
	if rec := post(in, "issues", "small", webhook.Sign(secret, []byte(issueOpened)), []byte(issueOpened)); rec.Code != http.StatusAccepted {
		t.Fatalf("small signed delivery got %d beside stalled large bodies, want 202", rec.Code)
	}
	close(release)
	done.Wait()
}

func TestPayloadMissingWhatItsEventNeedsIsRefusedUnstored(t *testing.T) {
	cases := []struct{ event, payload, missing string }{
		{"issues", `{"action":"opened","repository":{"full_name":"acme/web"},"installation":{"id":42}}`, "issue"},
		{"issues", `{"action":"opened","issue":{"number":7},"installation":{"id":42}}`, "repository"},
		{"issues", `{"action":"opened","issue":{"number":7},"repository":{"full_name":"acme/web"}}`, "installation"},
		{"issue_comment", `{"action":"created","issue":{"number":7},"repository":{"full_name":"acme/web"},"installation":{"id":42}}`, "comment"},
		{"installation", `{"action":"created"}`, "installation"},
	}
	for _, c := range cases {
		in, st, _ := newIntake(t)
		body := []byte(c.payload)
		rec := post(in, c.event, "d-1", webhook.Sign(secret, body), body)
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), c.missing) {
			t.Errorf("%s %s: got %d %q, want 400 naming %q", c.event, c.payload, rec.Code, rec.Body.String(), c.missing)
		}
		if n, err := st.Depth(context.Background()); err != nil || n != 0 {
			t.Errorf("%s without %s: %d deliveries stored (err %v), want none", c.event, c.missing, n, err)
		}
	}
}

func TestLockedDatabaseGives503Promptly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "q.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	in, _, _ := newIntake(t)
	in.Queue = st
	// Another connection holds the write lock, as a stuck writer would.
	other, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "BEGIN EXCLUSIVE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(context.Background(), "ROLLBACK")

	done := make(chan int, 1)
	go func() {
		done <- post(in, "issues", "d-locked", webhook.Sign(secret, []byte(issueOpened)), []byte(issueOpened)).Code
	}()
	select {
	case code := <-done:
		if code != http.StatusServiceUnavailable {
			t.Fatalf("with the database locked: %d, want 503", code)
		}
	case <-time.After(8 * time.Second): // well under the store's 10 s busy wait
		t.Fatal("intake waited on a locked database instead of answering 503")
	}
}
