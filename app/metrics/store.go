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
}

// StoreCollector reports the gauges that are the truth dashboards divide:
// issues, pull requests and comments as they stand in the store now. It
// queries the store at scrape time, with a short cache so that several
// scrapers do not multiply the load. Each gauge's query runs on its own, with
// its own deadline, and reports its own success and duration (as
// node_exporter does per collector): a failed or slow count hides no other
// gauge.
type StoreCollector struct {
	store   Counts
	window  time.Duration // comments created within it are counted
	ttl     time.Duration
	timeout time.Duration // per query
	log     *slog.Logger

	issues, pulls, comments, concerns, depth, up, success, duration *prometheus.Desc

	refresh  sync.Mutex // held while the store is queried
	mu       sync.Mutex // guards cached and cachedAt
	cached   []prometheus.Metric
	cachedAt time.Time
}

// NewStoreCollector returns a collector over s. window is the metrics window
// for comments (30 days by default; see docs/reference.md).
func NewStoreCollector(s Counts, window time.Duration, log *slog.Logger) *StoreCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
	}
	return &StoreCollector{
		store: s, window: window, ttl: 5 * time.Second, timeout: 5 * time.Second, log: log,
		issues:   d("issues", "Open issues (the denominator of every ownership share; closed ones leave it) by whether they have an owner and a rationale.", "repository", "owner", "rationale"),
		pulls:    d("pull_requests", "Open pull requests by whether an issue they refer to (closing keyword or plain reference) has an owner, and whether they have a reason of their own or a linked issue's.", "repository", "linked_issue", "rationale"),
		comments: d("comments", "Comments, reviews and review comments created within the metrics window, as they stand now, by author role and level; divide by role for the share of engineers' comments that are product-level, by level for engineers' share of product-level comments.", "repository", "thread", "author_role", "level"),
		concerns: d("comment_concerns", "Concerns in comments created within the metrics window, as they stand now.", "repository", "thread", "author_role", "concern"),
		depth:    d("queue_depth", "Deliveries stored and not yet processed."),
		up:       d("store_up", "1 when the store answered every query of the last scrape, else 0."),
		success:  d("store_collect_success", "1 when the store answered the query behind the gauge at the last scrape, else 0.", "gauge"),
		duration: d("store_collect_duration_seconds", "Time the query behind the gauge took at the last scrape.", "gauge"),
	}
}

// Describe implements prometheus.Collector.
func (c *StoreCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.issues, c.pulls, c.comments, c.concerns, c.depth, c.up, c.success, c.duration} {
		ch <- d
	}
}

// Collect implements prometheus.Collector. A scrape that comes while
// another is querying the store gets the last values rather than wait
// behind it, so scrapes never pile up on a slow database.
func (c *StoreCollector) Collect(ch chan<- prometheus.Metric) {
	for _, m := range c.current() {
		ch <- m
	}
}

func (c *StoreCollector) current() []prometheus.Metric {
	c.mu.Lock()
	cached, fresh := c.cached, c.cached != nil && time.Since(c.cachedAt) <= c.ttl
	c.mu.Unlock()
	if fresh {
		return cached
	}
	if !c.refresh.TryLock() {
		if cached != nil {
			return cached
		}
		c.refresh.Lock() // the first scrape: nothing to show yet but its result
	}
	defer c.refresh.Unlock()
	c.mu.Lock()
	if c.cached != nil && time.Since(c.cachedAt) <= c.ttl { // refreshed meanwhile
		defer c.mu.Unlock()
		return c.cached
	}
	c.mu.Unlock()
	fresher := c.query()
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cached, c.cachedAt = fresher, time.Now()
	return fresher
}

// Invalidate drops the cache, so the next scrape queries the store.
func (c *StoreCollector) Invalidate() {
	c.mu.Lock()
	c.cached = nil
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
	}
}

// query runs every gauge's query at once, each with its own deadline, so
// that the scrape takes as long as the slowest query, not their sum.
func (c *StoreCollector) query() []prometheus.Metric {
	qs := c.queries()
	results := make([][]prometheus.Metric, len(qs))
	failed := make([]bool, len(qs))
	var wg sync.WaitGroup
	for i, q := range qs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
			defer cancel()
			start := time.Now()
			series, err := runWithin(ctx, q.run)
			took := time.Since(start).Seconds()
			success := 1.0
			if err != nil {
				c.log.Error("metrics: store query failed", "gauge", q.gauge, "err", err)
				series, success, failed[i] = nil, 0, true
			}
			results[i] = append(series,
				prometheus.MustNewConstMetric(c.success, prometheus.GaugeValue, success, q.gauge),
				prometheus.MustNewConstMetric(c.duration, prometheus.GaugeValue, took, q.gauge))
		}()
	}
	wg.Wait()
	var out []prometheus.Metric
	up := 1.0
	for i, r := range results {
		out = append(out, r...)
		if failed[i] {
			up = 0
		}
	}
	return append(out, prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, up))
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
