package webhook_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

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
		Registry: dispatch.NewRegistry(issues.New(nil), installs.New(installs.Options{})),
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
	if got := push("p2", "refs/heads/feature", ".github/ownership.yml"); got != 200 {
		t.Fatalf("push to a branch: %d, want 200 (ignored)", got)
	}
	if got := push("p3", "refs/heads/main", ".github/ownership.yml"); got != 202 {
		t.Fatalf("push changing the config: %d, want 202", got)
	}
	if n, _ := st.Depth(context.Background()); n != 1 {
		t.Fatalf("stored %d pushes, want 1", n)
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

// blockingBody never ends until released, like a slow upload.
type blockingBody struct{ release chan struct{} }

func (b blockingBody) Read(p []byte) (int, error) { <-b.release; return 0, io.EOF }

func TestUnsignedBodiesCannotExhaustMemory(t *testing.T) {
	in, _, _ := newIntake(t)
	release := make(chan struct{})
	const big = 20 << 20
	var started sync.WaitGroup
	var done sync.WaitGroup
	codes := make(chan int, 10)
	for range 10 { // 200 MiB declared, more than MaxBufferedBytes
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			req := httptest.NewRequest(http.MethodPost, "/webhook", blockingBody{release})
			req.ContentLength = big
			req.Header.Set("X-Hub-Signature-256", "sha256="+strings.Repeat("0", 64))
			rec := httptest.NewRecorder()
			started.Done()
			in.ServeHTTP(rec, req)
			codes <- rec.Code
		}()
	}
	started.Wait()
	// Those over the budget are refused at once, while the others still read.
	refused := 0
	for refused < 10-webhook.MaxBufferedBytes/big {
		if code := <-codes; code == http.StatusServiceUnavailable {
			refused++
		} else {
			t.Fatalf("a request finished with %d before the slow bodies were released", code)
		}
	}
	close(release)
	done.Wait()
}
