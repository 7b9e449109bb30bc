package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// counts answers every gauge's query with one row, except those it is told
// to fail or to hold until their deadline.
type counts struct {
	fail, hang map[string]bool
	// frozen, when set, holds every query until closed, deadline or not,
	// like a driver waiting on a stopped database.
	frozen chan struct{}
	// entered, when set, is told of each query that starts.
	entered chan struct{}
}

func (c counts) answer(ctx context.Context, gauge string) error {
	if c.entered != nil {
		select {
		case c.entered <- struct{}{}:
		default:
		}
	}
	if c.frozen != nil {
		<-c.frozen
	}
	if c.hang[gauge] {
		<-ctx.Done()
		return ctx.Err()
	}
	if c.fail[gauge] {
		return errors.New("disk I/O error")
	}
	return nil
}

func (c counts) IssueCounts(ctx context.Context) ([]store.IssueCount, error) {
	return []store.IssueCount{{Repo: "acme/web", HasOwner: true, Count: 3}}, c.answer(ctx, "issues")
}

func (c counts) PullRequestCounts(ctx context.Context) ([]store.PullRequestCount, error) {
	return []store.PullRequestCount{{Repo: "acme/web", LinkedIssue: "owned", HasRationale: true, Count: 2}}, c.answer(ctx, "pull_requests")
}

func (c counts) CommentCounts(ctx context.Context, _ time.Time) ([]store.CommentCount, error) {
	return []store.CommentCount{{Repo: "acme/web", Thread: "issue", AuthorRole: "engineer", Level: "product", Count: 5}}, c.answer(ctx, "comments")
}

func (c counts) ConcernCounts(ctx context.Context, _ time.Time) ([]store.ConcernCount, error) {
	return []store.ConcernCount{{Repo: "acme/web", Thread: "issue", AuthorRole: "engineer", Concern: "performance", Count: 4}}, c.answer(ctx, "comment_concerns")
}

func (c counts) Depth(ctx context.Context) (int, error) { return 7, c.answer(ctx, "queue_depth") }

func (c counts) Backfills(ctx context.Context, _ int64) ([]store.Backfill, error) {
	now := time.Now()
	return []store.Backfill{
		{Repo: "acme/web", Phase: store.PhaseOpenPulls, ItemsDone: 100, ItemsTotal: 300, StartedAt: now.Add(-10 * time.Second)},
		{Repo: "acme/api", Phase: store.PhaseDone, ItemsDone: 50, ItemsTotal: 50},
	}, c.answer(ctx, "backfill")
}

func scrape(t *testing.T, c *StoreCollector) string {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	var b strings.Builder
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			b.WriteString(f.GetName())
			for _, l := range m.GetLabel() {
				b.WriteString(" " + l.GetName() + "=" + l.GetValue())
			}
			b.WriteString(" " + strconv.FormatFloat(m.GetGauge().GetValue(), 'g', -1, 64) + "\n")
		}
	}
	return b.String()
}

func wantLine(t *testing.T, scraped, line string) {
	t.Helper()
	if !strings.Contains(scraped, line+"\n") {
		t.Errorf("missing %q in:\n%s", line, scraped)
	}
}

func newCollector(c counts) *StoreCollector {
	return NewStoreCollector(c, 24*time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestEveryGaugeIsReportedWhenTheStoreAnswers(t *testing.T) {
	c := newCollector(counts{})
	if n := testutil.CollectAndCount(c, "ownershipbot_store_collect_success"); n != 6 {
		t.Errorf("%d success series, want one per gauge (6)", n)
	}
	got := scrape(t, c)
	for _, want := range []string{
		"ownershipbot_issues owner=yes rationale=no repository=acme/web 3",
		"ownershipbot_pull_requests linked_issue=owned rationale=yes repository=acme/web 2",
		"ownershipbot_comments author_role=engineer level=product repository=acme/web thread=issue 5",
		"ownershipbot_comment_concerns author_role=engineer concern=performance repository=acme/web thread=issue 4",
		"ownershipbot_queue_depth 7",
		"ownershipbot_store_collect_success gauge=queue_depth 1",
		"ownershipbot_store_up 1",
	} {
		wantLine(t, got, want)
	}
}

func TestAFailedQueryHidesNoOtherGauge(t *testing.T) {
	c := newCollector(counts{fail: map[string]bool{"comments": true}})
	got := scrape(t, c)
	for _, want := range []string{
		"ownershipbot_queue_depth 7",
		"ownershipbot_issues owner=yes rationale=no repository=acme/web 3",
		"ownershipbot_comment_concerns author_role=engineer concern=performance repository=acme/web thread=issue 4",
		"ownershipbot_store_collect_success gauge=comments 0",
		"ownershipbot_store_collect_success gauge=issues 1",
		"ownershipbot_store_up 0",
	} {
		wantLine(t, got, want)
	}
	if strings.Contains(got, "ownershipbot_comments ") {
		t.Errorf("the failed query's gauge is reported anyway:\n%s", got)
	}
}

// clock is a settable time for the collector.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func TestAFailedQueryKeepsItsLastValuesMarkedStale(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	c := newCollector(counts{})
	c.now = clk.Now
	got := scrape(t, c)
	wantLine(t, got, "ownershipbot_store_collect_age_seconds gauge=comments 0")

	clk.Advance(time.Minute)
	c.store = counts{fail: map[string]bool{"comments": true}}
	got = scrape(t, c)
	for _, want := range []string{
		// The failed gauge shows its last values, a minute old...
		"ownershipbot_comments author_role=engineer level=product repository=acme/web thread=issue 5",
		"ownershipbot_store_collect_success gauge=comments 0",
		"ownershipbot_store_collect_age_seconds gauge=comments 60",
		// ...the others are fresh.
		"ownershipbot_store_collect_success gauge=issues 1",
		"ownershipbot_store_collect_age_seconds gauge=issues 0",
		"ownershipbot_store_up 0",
	} {
		wantLine(t, got, want)
	}

	clk.Advance(time.Minute) // still failing: older still
	wantLine(t, scrape(t, c), "ownershipbot_store_collect_age_seconds gauge=comments 120")

	clk.Advance(time.Minute)
	c.store = counts{} // answering again: fresh
	got = scrape(t, c)
	wantLine(t, got, "ownershipbot_store_collect_success gauge=comments 1")
	wantLine(t, got, "ownershipbot_store_collect_age_seconds gauge=comments 0")
	wantLine(t, got, "ownershipbot_store_up 1")
}

func TestASlowQueryHidesNoOtherGauge(t *testing.T) {
	c := newCollector(counts{hang: map[string]bool{"issues": true}})
	c.timeout = 50 * time.Millisecond
	got := scrape(t, c)
	for _, want := range []string{
		"ownershipbot_queue_depth 7",
		"ownershipbot_store_collect_success gauge=issues 0",
		"ownershipbot_store_collect_success gauge=queue_depth 1",
	} {
		wantLine(t, got, want)
	}
}

func TestAScrapeLastsNoLongerThanItsTimeoutOnAFrozenStore(t *testing.T) {
	frozen := make(chan struct{})
	defer close(frozen)
	c := newCollector(counts{frozen: frozen})
	c.timeout = 100 * time.Millisecond
	done := make(chan string, 1)
	go func() { done <- scrape(t, c) }()
	select {
	case got := <-done:
		wantLine(t, got, "ownershipbot_store_up 0")
	case <-time.After(5 * time.Second):
		t.Fatal("a scrape waited on a frozen store past its timeout")
	}
}

func TestScrapesDuringASlowQueryGetTheLastValuesMarkedStale(t *testing.T) {
	clk := &clock{now: time.Unix(1_700_000_000, 0)}
	frozen := make(chan struct{})
	c := newCollector(counts{})
	c.now = clk.Now
	wantLine(t, scrape(t, c), "ownershipbot_queue_depth 7") // values to fall back on
	entered := make(chan struct{}, 1)
	c.store = counts{frozen: frozen, entered: entered}
	c.timeout = time.Minute
	c.ttl = 0 // every scrape wants fresh values
	clk.Advance(30 * time.Second)
	slow := make(chan string, 1)
	go func() { slow <- scrape(t, c) }()
	<-entered // the slow scrape is querying the store
	done := make(chan string, 1)
	go func() { done <- scrape(t, c) }()
	select {
	case got := <-done:
		wantLine(t, got, "ownershipbot_queue_depth 7")
		wantLine(t, got, "ownershipbot_store_collect_age_seconds gauge=queue_depth 30")
	case <-time.After(5 * time.Second):
		t.Error("a scrape waited behind another's slow query instead of serving the last values")
	}
	close(frozen)
	wantLine(t, <-slow, "ownershipbot_store_collect_age_seconds gauge=queue_depth 0")
}

func TestAQueryPastItsDeadlineKeepsItsLastValues(t *testing.T) {
	c := newCollector(counts{})
	wantLine(t, scrape(t, c), "ownershipbot_issues owner=yes rationale=no repository=acme/web 3")
	c.store = counts{hang: map[string]bool{"issues": true}}
	c.timeout = 50 * time.Millisecond
	c.Invalidate()
	got := scrape(t, c)
	wantLine(t, got, "ownershipbot_issues owner=yes rationale=no repository=acme/web 3")
	wantLine(t, got, "ownershipbot_store_collect_success gauge=issues 0")
	wantLine(t, got, "ownershipbot_store_collect_success gauge=queue_depth 1")
}

func TestAChangeDuringAQueryIsQueriedAgain(t *testing.T) {
	c := newCollector(counts{})
	c.ttl = time.Hour
	scrape(t, c)
	frozen, entered := make(chan struct{}), make(chan struct{}, 100)
	c.store = counts{frozen: frozen, entered: entered}
	c.Invalidate()
	done := make(chan string, 1)
	go func() { done <- scrape(t, c) }()
	<-entered // that scrape is querying
	c.Invalidate()
	close(frozen)
	<-done
	for len(entered) > 0 {
		<-entered
	}
	scrape(t, c)
	if len(entered) == 0 {
		t.Error("a change reported while the store was being queried was not queried at the next scrape")
	}
}

func TestBackfillProgressEstimatesTheTimeLeftAtThePaceSoFar(t *testing.T) {
	now := time.Now()
	pending, eta := BackfillProgress([]store.Backfill{
		{Phase: store.PhaseOpenIssues, ItemsDone: 100, ItemsTotal: 300, StartedAt: now.Add(-10 * time.Second)},
		{Phase: store.PhaseClosedPulls, ItemsDone: 10, ItemsTotal: 20, StartedAt: now.Add(-30 * time.Second)},
		{Phase: store.PhaseDone, ItemsDone: 50, ItemsTotal: 50, StartedAt: now.Add(-time.Hour)},
	}, now)
	// 200 left at 10/s is 20 s; 10 left at 1/3 per second is 30 s: the slower decides.
	if pending != 2 || eta < 29.9 || eta > 30.1 {
		t.Fatalf("BackfillProgress = %d pending, %.1f s; want 2 and 30 s", pending, eta)
	}
	if pending, eta := BackfillProgress(nil, now); pending != 0 || eta != 0 {
		t.Fatalf("no backfills: %d, %v", pending, eta)
	}
}
