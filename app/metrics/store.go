package metrics

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// StoreCollector reports the gauges that are the truth dashboards divide:
// issues, pull requests and comments as they stand in the store now. It
// queries the store at scrape time, with a short cache so that several
// scrapers do not multiply the load.
type StoreCollector struct {
	store  store.Store
	window time.Duration // comments created within it are counted
	ttl    time.Duration
	log    *slog.Logger

	issues, pulls, comments, concerns, depth, up *prometheus.Desc

	mu       sync.Mutex
	cached   []prometheus.Metric
	cachedAt time.Time
}

// NewStoreCollector returns a collector over s. window is the metrics window
// for comments (CONTRACTS: default 30 days).
func NewStoreCollector(s store.Store, window time.Duration, log *slog.Logger) *StoreCollector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
	}
	return &StoreCollector{
		store: s, window: window, ttl: 5 * time.Second, log: log,
		issues:   d("issues", "Open issues by whether they have an owner and a rationale.", "repository", "owner", "rationale"),
		pulls:    d("pull_requests", "Open pull requests by linked issue ownership and rationale.", "repository", "linked_issue", "rationale"),
		comments: d("comments", "Comments created within the metrics window, as they stand now, by level.", "repository", "thread", "author_role", "level"),
		concerns: d("comment_concerns", "Concerns in comments created within the metrics window, as they stand now.", "repository", "thread", "author_role", "concern"),
		depth:    d("queue_depth", "Deliveries stored and not yet processed."),
		up:       d("store_up", "1 when the store answered the last scrape's queries, else 0."),
	}
}

// Describe implements prometheus.Collector.
func (c *StoreCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.issues, c.pulls, c.comments, c.concerns, c.depth, c.up} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (c *StoreCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cached == nil || time.Since(c.cachedAt) > c.ttl {
		c.cached = c.query()
		c.cachedAt = time.Now()
	}
	for _, m := range c.cached {
		ch <- m
	}
}

// Invalidate drops the cache, so the next scrape queries the store.
func (c *StoreCollector) Invalidate() {
	c.mu.Lock()
	c.cached = nil
	c.mu.Unlock()
}

func (c *StoreCollector) query() []prometheus.Metric {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []prometheus.Metric
	gauge := func(d *prometheus.Desc, v int, labels ...string) {
		out = append(out, prometheus.MustNewConstMetric(d, prometheus.GaugeValue, float64(v), labels...))
	}
	fail := func(what string, err error) []prometheus.Metric {
		c.log.Error("metrics: store query failed", "query", what, "err", err)
		return []prometheus.Metric{prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, 0)}
	}

	issues, err := c.store.IssueCounts(ctx)
	if err != nil {
		return fail("issues", err)
	}
	for _, n := range issues {
		gauge(c.issues, n.Count, n.Repo, yesNo(n.HasOwner), yesNo(n.HasRationale))
	}
	pulls, err := c.store.PullRequestCounts(ctx)
	if err != nil {
		return fail("pull_requests", err)
	}
	for _, n := range pulls {
		gauge(c.pulls, n.Count, n.Repo, n.LinkedIssue, yesNo(n.HasRationale))
	}
	since := time.Now().Add(-c.window)
	comments, err := c.store.CommentCounts(ctx, since)
	if err != nil {
		return fail("comments", err)
	}
	for _, n := range comments {
		gauge(c.comments, n.Count, n.Repo, n.Thread, n.AuthorRole, n.Level)
	}
	concerns, err := c.store.ConcernCounts(ctx, since)
	if err != nil {
		return fail("comment_concerns", err)
	}
	for _, n := range concerns {
		gauge(c.concerns, n.Count, n.Repo, n.Thread, n.AuthorRole, n.Concern)
	}
	depth, err := c.store.Depth(ctx)
	if err != nil {
		return fail("queue_depth", err)
	}
	gauge(c.depth, depth)
	gauge(c.up, 1)
	return out
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
