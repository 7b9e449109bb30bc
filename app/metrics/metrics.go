// Package metrics declares ownershipbot's Prometheus metrics (listed in
// docs/reference.md) once, on a registry the caller passes in, and collects the
// gauges that reflect the store at scrape time.
package metrics

import (
	"maps"
	"slices"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	dto "github.com/prometheus/client_model/go"
)

const namespace = "ownershipbot"

// Metrics holds the metrics the app updates as things happen. The gauges
// derived from the store are collected by StoreCollector instead.
type Metrics struct {
	WebhookDeliveries   *prometheus.CounterVec   // event, outcome
	LastDelivery        prometheus.Gauge         // unix time of the last accepted delivery
	DeliveriesProcessed *prometheus.CounterVec   // event, outcome: done, retried, failed
	DeliveriesFailed    *prometheus.CounterVec   // event
	LeasesLost          prometheus.Counter       // batches stopped because their lease could not be renewed
	EventProcessing     *prometheus.HistogramVec // event
	CommentsAnalyzed    *prometheus.CounterVec   // repository, thread, author_role, level
	CommentConcerns     *prometheus.CounterVec   // repository, thread, author_role, concern
	TimeToOwner         *prometheus.HistogramVec // repository
	ReviewComments      *prometheus.HistogramVec // level: review comments per merged pull request
	GitHubRequests      *prometheus.CounterVec   // method, route, status
	RateLimitRemaining  *prometheus.GaugeVec     // resource
	BotComments         *prometheus.CounterVec   // operation: created, edited, unchanged, recreated
	ConfigChecks        *prometheus.CounterVec   // conclusion: success, failure, not_permitted
	ConnectionsRefused  prometheus.Counter       // closed on arrival: their client held too many
	// AppCredentialsRefused is 1 while GitHub refuses the App's own
	// credentials (a deleted App, a revoked or wrong private key).
	AppCredentialsRefused prometheus.Gauge
	BackfillItems         *prometheus.CounterVec // thread: issues and pull requests read from history
	BackfillPauses        prometheus.Counter     // waits for GitHub's rate limit
	GraphQLPoints         prometheus.Counter     // GraphQL rate-limit points spent
	Redeliveries          *prometheus.CounterVec // outcome: requested, refused
	DriftRepairs          *prometheus.CounterVec // thread
	Sweeps                *prometheus.CounterVec // outcome: done, deferred
	SweepPoints           prometheus.Counter     // GraphQL points the sweeps spent
}

// New creates the metrics and registers them, with the Go and process
// collectors, on reg.
func New(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		WebhookDeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_deliveries_total",
			Help: "Webhook deliveries received, by event and outcome (accepted, duplicate, ignored, rejected).",
		}, []string{"event", "outcome"}),
		LastDelivery: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "webhook_last_delivery_timestamp_seconds",
			Help: "Unix time of the last webhook delivery accepted for processing.",
		}),
		DeliveriesProcessed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "deliveries_processed_total",
			Help: "Attempts to process a stored delivery, by event and outcome (done, retried, failed).",
		}, []string{"event", "outcome"}),
		DeliveriesFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "deliveries_failed_total",
			Help: "Deliveries given up on after their retries, by event.",
		}, []string{"event"}),
		LeasesLost: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "queue_leases_lost_total",
			Help: "Batches stopped and handed back because their lease could not be renewed.",
		}),
		EventProcessing: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "event_processing_seconds",
			Help:    "Time to process one delivery, GitHub calls included, by event.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"event"}),
		CommentsAnalyzed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "comments_analyzed_total",
			Help: "Comments analysed as they were created or edited, by level.",
		}, []string{"repository", "thread", "author_role", "level"}),
		CommentConcerns: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "comment_concerns_total",
			Help: "Product-level concerns found in comments as they were created or edited.",
		}, []string{"repository", "thread", "author_role", "concern"}),
		TimeToOwner: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "issue_time_to_owner_seconds",
			Help:    "Time from an issue's creation to its first owner.",
			Buckets: []float64{60, 600, 3600, 4 * 3600, 86400, 3 * 86400, 7 * 86400, 30 * 86400},
		}, []string{"repository"}),
		ReviewComments: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: namespace, Name: "pull_request_review_comments",
			Help:    "Review comments per merged pull request, by level.",
			Buckets: []float64{0, 1, 2, 5, 10, 20, 50},
		}, []string{"level"}),
		GitHubRequests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "github_requests_total",
			Help: "Requests to GitHub's REST API, by method, route template and status.",
		}, []string{"method", "route", "status"}),
		RateLimitRemaining: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: namespace, Name: "github_rate_limit_remaining",
			Help: "Requests left in the current rate-limit window, from the last response's headers.",
		}, []string{"resource"}),
		BotComments: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "bot_comment_writes_total",
			Help: "Bot comment decisions: created, edited, recreated after a deletion, or unchanged (no write).",
		}, []string{"operation"}),
		ConfigChecks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "config_checks_total",
			Help: "Check runs on pushed .github/ownership.yml files, by conclusion (success, failure), or not_permitted when the installation has not granted checks: write.",
		}, []string{"conclusion"}),
		AppCredentialsRefused: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: namespace, Name: "github_app_credentials_refused",
			Help: "1 while GitHub refuses the App's own credentials at the installation token exchange (a deleted App, a revoked or wrong private key): every delivery fails until an operator acts.",
		}),
		ConnectionsRefused: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "http_connections_refused_total",
			Help: "Connections closed on arrival because their client address already held the most open connections allowed.",
		}),
		BackfillItems: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "backfill_items_total",
			Help: "Issues and pull requests read from a repository's history, by thread.",
		}, []string{"thread"}),
		BackfillPauses: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "backfill_rate_limit_pauses_total",
			Help: "Times reading history paused to stay within GitHub's rate limits.",
		}),
		GraphQLPoints: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "github_graphql_points_total",
			Help: "Points of GitHub's GraphQL rate limit spent, as GitHub reports each query's cost.",
		}),
		Redeliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "webhook_redeliveries_total",
			Help: "Failed webhook deliveries the App asked GitHub to send again, by outcome (requested, refused).",
		}, []string{"outcome"}),
		DriftRepairs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "drift_repairs_total",
			Help: "Issues and pull requests whose stored state the periodic sweep found out of date, by thread.",
		}, []string{"thread"}),
		Sweeps: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: namespace, Name: "sweeps_total",
			Help: "Repository sweeps by outcome: done, or deferred (the sweeps' share of GitHub's GraphQL limit spent for the window, or the installation waiting for the limit).",
		}, []string{"outcome"}),
		SweepPoints: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: namespace, Name: "sweep_graphql_points_total",
			Help: "Points of GitHub's GraphQL rate limit the sweeps spent (part of github_graphql_points_total).",
		}),
	}
	reg.MustRegister(
		m.WebhookDeliveries, m.LastDelivery, m.DeliveriesProcessed, m.DeliveriesFailed, m.LeasesLost, m.EventProcessing,
		m.CommentsAnalyzed, m.CommentConcerns, m.TimeToOwner, m.ReviewComments,
		m.GitHubRequests, m.RateLimitRemaining, m.BotComments, m.ConfigChecks, m.ConnectionsRefused, m.AppCredentialsRefused,
		m.BackfillItems, m.BackfillPauses, m.GraphQLPoints, m.Redeliveries, m.DriftRepairs, m.Sweeps, m.SweepPoints,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	return m
}

// RepositoriesWithSeries lists the repositories that label a series of this
// process's own counters and histograms (the store's gauges follow the
// store by themselves).
func (m *Metrics) RepositoriesWithSeries() []string {
	seen := map[string]bool{}
	for _, c := range []prometheus.Collector{m.CommentsAnalyzed, m.CommentConcerns, m.TimeToOwner} {
		ch := make(chan prometheus.Metric)
		go func() { c.Collect(ch); close(ch) }()
		for metric := range ch {
			var pb dto.Metric
			if metric.Write(&pb) != nil {
				continue
			}
			for _, l := range pb.GetLabel() {
				if l.GetName() == "repository" {
					seen[l.GetValue()] = true
				}
			}
		}
	}
	return slices.Sorted(maps.Keys(seen))
}

// ForgetRepository drops every series labelled with a repository, for a
// repository the App no longer reaches (uninstalled, or removed from it).
func (m *Metrics) ForgetRepository(repo string) {
	labels := prometheus.Labels{"repository": repo}
	m.CommentsAnalyzed.DeletePartialMatch(labels)
	m.CommentConcerns.DeletePartialMatch(labels)
	m.TimeToOwner.DeletePartialMatch(labels)
}
