package page_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/page"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
)

// bigRepo stores a repository of issues and pull requests, each pull
// request with the per-comment tallies its handler keeps for a discussion
// of comments comments.
func bigRepo(b testing.TB, threads, comments int) *sqlite.Store {
	b.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "big.db"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	var tally strings.Builder
	tally.WriteString(`{"reason":"strong","comments":{`)
	for i := range comments {
		if i > 0 {
			tally.WriteByte(',')
		}
		fmt.Fprintf(&tally, `"issue_comment:%d":{"p":true,"c":["performance","reliability"]}`, 1_000_000+i)
	}
	tally.WriteString(`}}`)
	now := time.Now()
	for i := range threads {
		t := store.Thread{InstallationID: 1, Repo: "acme/big", Number: i + 1, Kind: store.ThreadIssue, State: store.StateOpen,
			Title: fmt.Sprintf("Checkout fails for customers in region %d", i), URL: fmt.Sprintf("https://github.com/acme/big/issues/%d", i+1),
			CreatedAt: now.Add(-time.Duration(i) * time.Hour), Rationale: "none", RationaleEvidence: strings.Repeat("because ", 10)}
		if i%2 == 1 {
			t.Kind, t.LinkedIssue, t.PullState = store.ThreadPullRequest, "none", tally.String()
		}
		if err := st.PutThread(context.Background(), t); err != nil {
			b.Fatal(err)
		}
	}
	return st
}

// BenchmarkRepositoryPage measures one view of a repository's page: 20,000
// issues and pull requests, each pull request discussed in 50 comments.
// go test ./app/page -run - -bench RepositoryPage -benchmem
func BenchmarkRepositoryPage(b *testing.B) {
	st := bigRepo(b, 20_000, 50)
	p, err := page.New(page.Options{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		b.Fatal(err)
	}
	var peak uint64
	b.ResetTimer()
	for range b.N {
		req := httptest.NewRequest("GET", "/repos/acme/big", nil)
		req.RemoteAddr, req.Host = "127.0.0.1:5000", "127.0.0.1:8081"
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("answered %d", rec.Code)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		peak = max(peak, ms.HeapInuse)
	}
	b.ReportMetric(float64(peak)/(1<<20), "MiB-heap-inuse")
}

// A page view reads a repository one thread at a time and keeps only the
// issues most in need: viewing a repository of 10,000 issues and pull
// requests (each pull request discussed in 50 comments) allocates a few
// megabytes, not the whole repository twice over (it took 62 MB when
// every thread was read into memory at once).
func TestARepositoryPageReadsTheStoreInLittleMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("stores 10,000 threads")
	}
	st := bigRepo(t, 10_000, 50)
	p, err := page.New(page.Options{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	view := func() string {
		req := httptest.NewRequest("GET", "/repos/acme/big", nil)
		req.RemoteAddr, req.Host = "127.0.0.1:5000", "127.0.0.1:8081"
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("answered %d", rec.Code)
		}
		return rec.Body.String()
	}
	view() // warm: templates, statements
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	body := view()
	runtime.ReadMemStats(&after)
	if mb := float64(after.TotalAlloc-before.TotalAlloc) / (1 << 20); mb > 24 {
		t.Errorf("one view of a 10,000-thread repository allocated %.0f MiB; reading it a thread at a time takes about 13", mb)
	}
	// The oldest open issues lacking both come first, whatever the order
	// the store gives them in: #9999 (even numbers are pull requests).
	got := regexp.MustCompile(`<li data-number="(\d+)">`).FindAllStringSubmatch(body, -1)
	if len(got) != 10 || got[0][1] != "9999" || got[9][1] != "9981" {
		t.Errorf("issues in need listed: %v, want #9999 down to #9981", got)
	}
}
