package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Counts are the store queries behind the gauges, one per gauge.
type Counts interface {
	IssueCounts(ctx context.Context) ([]store.IssueCount, error)
	PullRequestCounts(ctx context.Context) ([]store.PullRequestCount, error)
	CommentCounts(ctx context.Context, since time.Time) ([]store.CommentCount, error)
	ConcernCounts(ctx context.Context, since time.Time) ([]store.ConcernCount, error)
	Depth(ctx context.Context) (int, error)
	Backfills(ctx context.Context, installationID int64) ([]store.Backfill, error)
}

// StoreCollector reports the gauges that are the truth dashboards divide:
// issues, pull requests and comments as they stand in the store now. It
// queries the store at scrape time, with a short cache so that several
// scrapers do not multiply the load. Each gauge's query runs on its own, with
// its own deadline, and reports its own success and duration (as
// node_exporter does per collector): a failed or slow count hides no other
// gauge. A gauge whose query fails or runs past its deadline keeps its last
// good values, marked stale by their age.
type StoreCollector struct {
	store   Counts
	window  time.Duration // comments created within it are counted
	ttl     time.Duration
	timeout time.Duration // per query
	log     *slog.Logger
	now     func() time.Time

	issues, pulls, comments, concerns, depth, up, success, duration, age *prometheus.Desc
	backfillPending, backfillRemaining                                   *prometheus.Desc

	refresh   sync.Mutex // held while the store is queried
	mu        sync.Mutex // guards gauges, queriedAt and invalidated
	gauges    map[string]*gaugeState
	queriedAt time.Time // zero: query at the next scrape
	// invalidated counts Invalidate calls, so that a query that was
	// running when one came does not count as fresh.
	invalidated uint64
}

// gaugeState is what the collector knows of one gauge.
type gaugeState struct {
	series   []prometheus.Metric // the last values the store gave
	readAt   time.Time           // when it gave them; zero before it ever did
	success  bool                // whether the last query succeeded
	duration time.Duration       // how long the last query took
}

// NewStoreCollector returns a collector over s. window is the metrics window
// for comments (30 days by default; see docs/reference.md).
func NewStoreCollector(s Counts, window time.Duration, log *slog.Logger) *StoreCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
	}
	return &StoreCollector{
		store: s, window: window, ttl: 5 * time.Second, timeout: 5 * time.Second, log: log, now: time.Now,
		gauges:   map[string]*gaugeState{},
		issues:   d("issues", "Open issues (the denominator of every ownership share; closed ones leave it) by whether they have an owner and a rationale.", "repository", "owner", "rationale"),
		pulls:    d("pull_requests", "Open pull requests by whether an issue they refer to (closing keyword or plain reference) has an owner, and whether they have a reason of their own or a linked issue's.", "repository", "linked_issue", "rationale"),
		comments: d("comments", "Comments, reviews and review comments created within the metrics window, as they stand now, by author role and level; divide by role for the share of engineers' comments that are product-level, by level for engineers' share of product-level comments.", "repository", "thread", "author_role", "level"),
		concerns: d("comment_concerns", "Concerns in comments created within the metrics window, as they stand now.", "repository", "thread", "author_role", "concern"),
		depth:    d("queue_depth", "Deliveries stored and not yet processed."),
		backfillPending: d("backfill_repositories_pending",
			"Repositories whose history is not read yet."),
		backfillRemaining: d("backfill_seconds_remaining",
			"Estimated seconds until every backfill is done, at the pace so far (rate-limit pauses included); 0 when none runs."),
		up:       d("store_up", "1 when the store answered every query of the last scrape, else 0."),
		success:  d("store_collect_success", "1 when the store answered the query behind the gauge at the last scrape, else 0 (the gauge then shows its last good values, if any).", "gauge"),
		duration: d("store_collect_duration_seconds", "Time the query behind the gauge took at the last scrape.", "gauge"),
		age:      d("store_collect_age_seconds", "Seconds since the store gave the values the gauge shows: at most a few when fresh, growing while its query fails or is slow.", "gauge"),
	}
}

// Describe implements prometheus.Collector.
func (c *StoreCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.issues, c.pulls, c.comments, c.concerns, c.depth, c.up, c.success, c.duration, c.age,
		c.backfillPending, c.backfillRemaining} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. A scrape that comes while
// another is querying the store gets the last values rather than wait
// behind it, so scrapes never pile up on a slow database; their age says how
// old they are.
func (c *StoreCollector) Collect(ch chan<- prometheus.Metric) {
	c.refreshIfDue()
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	up := 1.0
	for _, q := range c.queries() {
		g := c.gauges[q.gauge]
		if g == nil {
			continue
		}
		for _, m := range g.series {
			ch <- m
		}
		success := 1.0
		if !g.success {
			success, up = 0, 0
		}
		ch <- prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, success, q.gauge)
		ch <- prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, g.duration.Seconds(), q.gauge)
		if !g.readAt.IsZero() {
			ch <- prometheus.MustNewConstMetric(c.age, prometheus.GaugeValue, max(now.Sub(g.readAt).Seconds(), 0), q.gauge)
		}
	}
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up)
}

// refreshIfDue queries the store unless the last query is recent or another
// scrape is querying it now. Only the very first scrape, with nothing to show
// yet, waits for another's query.
func (c *StoreCollector) refreshIfDue() {
	due := func() bool {
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.queriedAt.IsZero() || c.now().Sub(c.queriedAt) > c.ttl
	}
	if !due() {
		return
	}
	if !c.refresh.TryLock() {
		c.mu.Lock()
		known := len(c.gauges) > 0
		c.mu.Unlock()
		if known {
			return
		}
		c.refresh.Lock()
	}
	defer c.refresh.Unlock()
	if due() { // not refreshed meanwhile
		c.query()
	}
}

// Invalidate makes the next scrape query the store; the values shown until
// then stay.
func (c *StoreCollector) Invalidate() {
	c.mu.Lock()
	c.queriedAt = time.Time{}
	c.invalidated++
	c.mu.Unlock()
}

// gaugeQuery is the query behind one gauge: it returns the gauge's series.
type gaugeQuery struct {
	gauge string // the gauge's name without the namespace: the success metric's label
	run   func(ctx context.Context) ([]prometheus.Metric, error)
}

func (c *StoreCollector) queries() []gaugeQuery {
	since := time.Now().Add(-c.window)
	series := func(d *prometheus.Desc, v int, labels ...string) prometheus.Metric {
		return prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...)
	}
	return []gaugeQuery{
		{"issues", func(ctx context.Context) (out []prometheus.Metric, err error) {
			rows, err := c.store.IssueCounts(ctx)
			for _, n := range rows {
				out = append(out, series(c.issues, n.Count, n.Repo, yesNo(n.HasOwner), yesNo(n.HasRationale)))
			}
			return out, err
		}},
		{"pull_requests", func(ctx context.Context) (out []prometheus.Metric, err error) {
			rows, err := c.store.PullRequestCounts(ctx)
			for _, n := range rows {
				out = append(out, series(c.pulls, n.Count, n.Repo, n.LinkedIssue, yesNo(n.HasRationale)))
			}
			return out, err
		}},
		{"comments", func(ctx context.Context) (out []prometheus.Metric, err error) {
			rows, err := c.store.CommentCounts(ctx, since)
			for _, n := range rows {
				out = append(out, series(c.comments, n.Count, n.Repo, n.Thread, n.AuthorRole, n.Level))
			}
			return out, err
		}},
		{"comment_concerns", func(ctx context.Context) (out []prometheus.Metric, err error) {
			rows, err := c.store.ConcernCounts(ctx, since)
			for _, n := range rows {
				out = append(out, series(c.concerns, n.Count, n.Repo, n.Thread, n.AuthorRole, n.Concern))
			}
			return out, err
		}},
		{"queue_depth", func(ctx context.Context) ([]prometheus.Metric, error) {
			n, err := c.store.Depth(ctx)
			return []prometheus.Metric{series(c.depth, n)}, err
		}},
		{"backfill", func(ctx context.Context) ([]prometheus.Metric, error) {
			rows, err := c.store.Backfills(ctx, 0)
			pending, eta := BackfillProgress(rows, time.Now())
			return []prometheus.Metric{series(c.backfillPending, pending),
				prometheus.MustNewConstMetric(c.backfillRemaining, prometheus.GaugeValue, eta)}, err
		}},
	}
}

// query runs every gauge's query at once, each with its own deadline, so
// that the scrape takes as long as the slowest query, not their sum, and
// records each gauge's outcome. A gauge whose query fails keeps its last
// good values.
func (c *StoreCollector) query() {
	c.mu.Lock()
	invalidated := c.invalidated
	c.mu.Unlock()
	qs := c.queries()
	var wg sync.WaitGroup
	for _, q := range qs {
		wg.Go(func() {
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			start := c.now()
			series, err := runWithin(ctx, q.run)
			done := c.now()
			if err != nil {
				c.log.Error("metrics: store query failed; the gauge shows its last good values", "gauge", q.gauge, "err", err)
			}
			c.mu.Lock()
			defer c.mu.Unlock()
			g := c.gauges[q.gauge]
			if g == nil {
				g = &gaugeState{}
				c.gauges[q.gauge] = g
			}
			g.success, g.duration = err == nil, done.Sub(start)
			if err == nil {
				g.series, g.readAt = series, done
			}
		})
	}
	wg.Wait()
	c.mu.Lock()
	if c.invalidated == invalidated {
		c.queriedAt = c.now()
	}
	c.mu.Unlock()
}

// runWithin returns run's answer, or ctx's error once ctx ends even if run
// does not heed it (a driver stuck on a frozen database), so a scrape lasts
// no longer than its timeout.
func runWithin(ctx context.Context, run func(context.Context) ([]prometheus.Metric, error)) ([]prometheus.Metric, error) {
	type answer struct {
		series []prometheus.Metric
		err    error
	}
	done := make(chan answer, 1)
	go func() {
		series, err := run(ctx)
		done <- answer{series, err}
	}()
	select {
	case a := <-done:
		return a.series, a.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// BackfillProgress counts the backfills not done yet and estimates the
// seconds until all are: the items left (GitHub's counts at the start),
// at the pace each backfill has kept since it started.
func BackfillProgress(rows []store.Backfill, now time.Time) (pending int, seconds float64) {
	for _, b := range rows {
		if b.Done() {
			continue
		}
		pending++
		left := max(b.ItemsTotal-b.ItemsDone, 0)
		elapsed := now.Sub(b.StartedAt).Seconds()
		if left == 0 || elapsed <= 0 {
			continue
		}
		if b.ItemsDone == 0 {
			seconds = max(seconds, elapsed) // no pace yet: at least as long again
			continue
		}
		seconds = max(seconds, float64(left)*elapsed/float64(b.ItemsDone))
	}
	return pending, seconds
}
