package demo

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
)

func openStore(t *testing.T) *sqlite.Store {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "demo.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func listen(t *testing.T) net.Listener {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

func TestDemoReplaysTheOrgAndSummarises(t *testing.T) {
	var out bytes.Buffer
	err := Run(context.Background(), Options{Listener: listen(t), Store: openStore(t), Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: &out, Once: true})
	if err != nil {
		t.Fatalf("demo: %v\n%s", err, out.String())
	}
	for _, want := range []string{"/metrics", "acme/web", "acme/payments-api", "open issues", "open pull requests", "engineers' share of"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestDemoRefusesADatabaseWithQueuedWork(t *testing.T) {
	st := openStore(t)
	if _, err := st.Enqueue(context.Background(), store.Delivery{ID: "real", Event: "issues", Payload: []byte("{}"), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	err := Run(context.Background(), Options{Listener: listen(t), Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: io.Discard, Once: true})
	if err == nil || !strings.Contains(err.Error(), "database of its own") {
		t.Fatalf("demo on a database with queued deliveries: %v, want a refusal", err)
	}
	if d, _, _ := st.Delivery(context.Background(), "real"); d.Status != store.DeliveryPending {
		t.Fatalf("the queued delivery was touched: %q", d.Status)
	}
}
