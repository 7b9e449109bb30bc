package app_test

import (
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
)

// TestFrozenPostgreSQLGives503AndRecovers stops the App's PostgreSQL with
// SIGSTOP for some seconds, as a stalled disk or a paused machine would.
// Meanwhile intake answers 503 promptly instead of hanging (GitHub waits
// 10 s), requests leave no goroutines behind, and /metrics answers within
// its own timeout. Once the server resumes, every delivery acknowledged
// before the freeze is handled, and those refused during it are taken when
// redelivered.
func TestFrozenPostgreSQLGives503AndRecovers(t *testing.T) {
	pg := pgtest.StartServer(t)
	h := apptest.Start(t, apptest.Options{DatabaseURL: pg.URL})
	_, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Warm-up", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	scrape(t, h.URL) // the metrics have values to fall back on

	// Acknowledged just before the freeze, perhaps not yet handled.
	var acked []int
	for i := range 3 {
		n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: fmt.Sprintf("Before %d", i), Body: bareBody})
		h.Accepted(d, err)
		acked = append(acked, n)
	}
	settle := func() int { runtime.GC(); time.Sleep(200 * time.Millisecond); return runtime.NumGoroutine() }
	before := settle()
	pg.Freeze()
	frozeAt := time.Now()
	t.Cleanup(pg.Thaw)

	// A delivery from GitHub is refused, not held.
	start := time.Now()
	n, refused, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "During", Body: bareBody})
	if err != nil || refused.Status != http.StatusServiceUnavailable {
		t.Fatalf("delivery to a frozen database: status %d, err %v; want 503", refused.Status, err)
	}
	t.Logf("503 from a frozen PostgreSQL after %v", time.Since(start).Round(time.Millisecond))

	// Many at once are refused too, and leave nothing waiting behind them.
	const burst = 50
	var wg sync.WaitGroup
	burstRefused := make([]githubsim.Delivery, burst)
	burstIssues := make([]int, burst)
	for i := range burst {
		wg.Go(func() {
			n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: fmt.Sprintf("Burst %d", i), Body: bareBody})
			if err != nil || d.Status != http.StatusServiceUnavailable {
				t.Errorf("a delivery to a frozen database: status %d, err %v; want 503", d.Status, err)
			}
			burstRefused[i], burstIssues[i] = d, n
		})
	}
	wg.Wait()
	client := &http.Client{Timeout: 30 * time.Second}

	// A scrape ends within the collector's own timeout (5 s), with the
	// gauges' last values marked stale. (A scrape within 5 s of the last
	// query may get that query's values, still fresh: the next one queries.)
	for try := 1; ; try++ {
		start = time.Now()
		code, text := scrape(t, h.URL)
		if code != http.StatusOK {
			t.Fatalf("/metrics during the freeze answered %d, want 200", code)
		}
		t.Logf("/metrics answered after %v", time.Since(start).Round(time.Millisecond))
		if strings.Contains(text, `ownershipbot_store_collect_success{gauge="issues"} 0`) {
			if !strings.Contains(text, `ownershipbot_issues{owner="no",rationale="no",repository="acme/web"}`) {
				t.Errorf("the issue gauge lost its last values during the freeze:\n%s", grep(text, "ownershipbot_issues"))
			}
			if age := grep(text, `ownershipbot_store_collect_age_seconds{gauge="issues"}`); age == "" {
				t.Errorf("the issue gauge's values are not marked with their age:\n%s", grep(text, "ownershipbot_store_collect"))
			}
			break
		}
		if try == 3 {
			t.Fatalf("three scrapes during the freeze reported the issue gauge's query as successful:\n%s", grep(text, "ownershipbot_store_collect"))
		}
	}

	// Readiness says so, within its own deadline (2 s).
	if resp, err := client.Get(h.URL + "/readyz"); err != nil {
		t.Errorf("/readyz during the freeze: %v", err)
	} else if resp.Body.Close(); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("/readyz during the freeze answered %d, want 503", resp.StatusCode)
	}

	during := settle()
	t.Logf("goroutines: %d before the freeze, %d after %d refused deliveries, a scrape and a readiness check", before, during, burst+1)
	if during > before+30 {
		t.Errorf("goroutines rose from %d to %d while the database was frozen: requests left work waiting on it", before, during)
	}
	t.Logf("frozen for %v", time.Since(frozeAt).Round(time.Millisecond))
	pg.Thaw()

	// GitHub redelivers what was refused. A refused delivery may still have
	// reached the database before the deadline, and be stored once it
	// resumes: its redelivery is then answered as a duplicate.
	for _, d := range append(burstRefused, refused) {
		d, err := h.Sim.Redeliver(d.ID)
		if err != nil || (d.Status != http.StatusAccepted && d.Status != http.StatusOK) {
			t.Errorf("redelivery of %s after the freeze: status %d, err %v; want 202, or 200 if already stored", d.ID, d.Status, err)
		}
	}
	h.Idle()
	// Everything acknowledged before the freeze is handled, and so is
	// everything redelivered, once.
	for _, n := range append(append(acked, n), burstIssues...) {
		if got := len(botComments(t, h, n)); got != 1 {
			t.Errorf("issue %d has %d bot comments after the freeze, want 1", n, got)
		}
	}
	resp, err := http.Get(h.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("/readyz after the freeze: %d, want 200", resp.StatusCode)
	}
}

// scrape gets /metrics once.
func scrape(t *testing.T, base string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 30 * time.Second}
	resp, err := client.Get(base + "/metrics")
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}
