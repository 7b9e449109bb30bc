// Package app assembles the ownershipbot GitHub App: webhook intake, the
// durable queue and its workers, GitHub clients, handlers, metrics and the
// HTTP server that exposes them.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/go-github/v66/github"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/configcheck"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/history"
	"github.com/ownershipbot/ownershipbot/app/installs"
	"github.com/ownershipbot/ownershipbot/app/issues"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/page"
	"github.com/ownershipbot/ownershipbot/app/pulls"
	"github.com/ownershipbot/ownershipbot/app/rollup"
	"github.com/ownershipbot/ownershipbot/app/slots"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
	"github.com/ownershipbot/ownershipbot/app/webhook"
)

// Options configures an App. Zero durations take the defaults in brackets.
type Options struct {
	AppID         int64
	PrivateKey    []byte // PEM
	WebhookSecret []byte
	GitHubAPIURL  string // [https://api.github.com/]
	Store         store.Store
	Registry      *prometheus.Registry // metrics are registered here, not globally
	Log           *slog.Logger

	Workers int // [8]
	// WorkersWhileBusy is how many workers use the CPU at once while
	// webhooks arrive, so that acknowledging them keeps a core [one less
	// than GOMAXPROCS, at least 1]; negative: no bound. Workers waiting for
	// GitHub do not count.
	WorkersWhileBusy int
	// Gather is how long the workers wait before a claim while webhooks
	// arrive in bursts on the same issues, so that an issue's burst becomes
	// one batch [50ms]; negative: they take each delivery as it comes.
	Gather        time.Duration
	ShutdownGrace time.Duration // time in-flight deliveries get to finish at shutdown [20s]
	MetricsWindow time.Duration // comments created within it make the comment gauges [30 days]
	ConfigTTL     time.Duration // how long a repository's config is cached [5m]
	KeepDone      time.Duration // how long processed deliveries are kept to spot redeliveries [7 days]
	// Retention is how long closed threads, failed deliveries and config
	// notices are kept [90 days]; done deliveries are kept the shorter of
	// it and KeepDone.
	Retention time.Duration
	// SweepEvery is how often each repository is compared with GitHub at
	// most [10m]: less often when a fifth of the installation's GraphQL
	// limit does not cover every repository that often.
	SweepEvery     time.Duration
	RedeliverEvery time.Duration // how often failed webhook deliveries are looked for [5m]

	// RollupEvery is how often the workers take the daily rollups the
	// page's trend is drawn from [1h]; negative: never (the demo takes them
	// itself, at the end of each simulated day).
	RollupEvery time.Duration

	// UIListener serves the leaders' page when set (UI_ADDR); nil: no page.
	UIListener net.Listener
	// SignIn turns on "Sign in with GitHub" for the page; nil: the page
	// answers on loopback only.
	SignIn *page.SignIn
	// SecureCookies marks the page's cookies Secure (UI_ADDR not loopback).
	SecureCookies bool

	// For tests and the demo.
	Transport      http.RoundTripper // network transport to GitHub
	QueueRetryBase time.Duration     // first queue-level retry backoff [5s]
	HTTPRetryBase  time.Duration     // first in-request retry backoff [500ms]
	Poll           time.Duration     // longest idle workers go without looking at the queue [10s]
	// Now is the App's clock for what it records (first owner, rollups'
	// days) [time.Now]; the demo runs a simulated month on its own clock.
	Now func() time.Time
}

// App is a running ownershipbot.
type App struct {
	opts     Options
	history  *history.History
	registry *dispatch.Registry
	pool     *dispatch.Pool
	mux      *http.ServeMux
	metrics  *metrics.Metrics
	gauges   *metrics.StoreCollector
	page     *page.Page
}

// newRegistry returns the event handlers; Events and Permissions derive
// from the same registry, so the App manifest always matches the code. With
// hist, the history's internal events are routed too.
func newRegistry(base *threads.Base, in installs.Options, checks configcheck.Options, hist func(issues, pulls history.Importer) *history.History) (*dispatch.Registry, *history.History) {
	prs := pulls.New(base)
	iss := issues.New(base)
	var h *history.History
	if hist != nil {
		h = hist(iss, prs)
		in.Backfill = func(ctx context.Context, installationID int64, fullName string) error {
			_, err := h.Start(ctx, installationID, fullName)
			return err
		}
		checks.Reread = h.OptedIn
	}
	r := dispatch.NewRegistry(installs.New(in), configcheck.New(checks), iss, prs)
	r.Internal(threads.EventLinkedIssueChanged, prs)
	r.Internal(pulls.EventHistoryComments, prs)
	if h != nil {
		for _, ev := range []string{history.EventBackfill, history.EventSweep, history.EventRepair, history.EventOptIn} {
			r.Internal(ev, h)
		}
	}
	return r, h
}

// Events returns the webhook events the App subscribes to.
func Events() []string {
	r, _ := newRegistry(nil, installs.Options{}, configcheck.Options{}, nil)
	return r.Events()
}

// Permissions returns the GitHub App permissions the App needs.
func Permissions() map[string]string {
	r, _ := newRegistry(nil, installs.Options{}, configcheck.Options{}, nil)
	return r.Permissions()
}

// New wires an App. It calls nothing outside the process.
func New(opts Options) (*App, error) {
	if len(opts.WebhookSecret) == 0 {
		return nil, errors.New("GITHUB_WEBHOOK_SECRET is required: the App refuses unsigned webhooks")
	}
	if opts.Store == nil || opts.Registry == nil || opts.Log == nil {
		return nil, errors.New("app: Store, Registry and Log are required")
	}
	if opts.ShutdownGrace <= 0 {
		opts.ShutdownGrace = 20 * time.Second
	}
	if opts.MetricsWindow <= 0 {
		opts.MetricsWindow = 30 * 24 * time.Hour
	}
	if opts.ConfigTTL <= 0 {
		opts.ConfigTTL = 5 * time.Minute
	}
	if opts.KeepDone <= 0 {
		opts.KeepDone = 7 * 24 * time.Hour
	}
	if opts.Retention <= 0 {
		opts.Retention = 90 * 24 * time.Hour
	}
	opts.KeepDone = min(opts.KeepDone, opts.Retention)
	if opts.RollupEvery == 0 {
		opts.RollupEvery = time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	analyzer, err := analysis.New()
	if err != nil {
		return nil, err
	}
	m := metrics.New(opts.Registry)
	clients, err := ghclient.New(ghclient.Options{
		AppID: opts.AppID, PrivateKey: opts.PrivateKey, BaseURL: opts.GitHubAPIURL,
		Metrics: m, Transport: opts.Transport, RetryBase: opts.HTTPRetryBase, Log: opts.Log,
	})
	if err != nil {
		return nil, err
	}
	configs := config.NewLoader(fetchFile(clients), opts.ConfigTTL)
	configs.List = listDir(clients)
	configs.OnBroken = func(source string, err error) {
		repo, _, _ := strings.Cut(strings.TrimSuffix(source, "/"+config.Path), "/.github")
		opts.Log.Warn("configuration file is broken and not applied; the settings below it apply (the organisation's file, or the defaults)", "file", source, "repository", repo, "problem", err.Error())
	}
	gauges := metrics.NewStoreCollector(opts.Store, opts.MetricsWindow, opts.Log)
	opts.Registry.MustRegister(gauges)

	base := threads.New(threads.Options{Store: opts.Store, Clients: clients, Configs: configs, Metrics: m, Log: opts.Log,
		Analyzer: threads.TextAnalyzer(analyzer), Now: opts.Now})
	var pool *dispatch.Pool
	registry, hist := newRegistry(base, installs.Options{Store: opts.Store, Clients: clients, Configs: configs,
		ListRepos: listRepos(clients), Repos: opts.Store.InstallationRepos, Forget: m.ForgetRepository},
		configcheck.Options{Clients: clients, Configs: configs, Metrics: m, Log: opts.Log},
		func(iss, prs history.Importer) *history.History {
			return history.New(history.Options{Store: opts.Store, Clients: clients, Issues: iss, Pulls: prs,
				Config: base.Config, Metrics: m, Log: opts.Log, SweepEvery: opts.SweepEvery,
				RedeliverEvery: opts.RedeliverEvery, Wake: func() { pool.Wake() }})
		})
	intake := &webhook.Intake{Secret: opts.WebhookSecret, Queue: opts.Store, Registry: registry, Metrics: m, Log: opts.Log,
		Now: time.Now}
	workers := opts.Workers
	if workers <= 0 {
		workers = 8
	}
	var running *slots.Slots
	if opts.WorkersWhileBusy >= 0 {
		whileBusy := opts.WorkersWhileBusy
		if whileBusy == 0 {
			whileBusy = runtime.GOMAXPROCS(0) - 1
		}
		running = slots.New(workers, whileBusy, intake.Busy)
	}
	pool = dispatch.NewPool(dispatch.PoolOptions{
		Queue: opts.Store, Handle: registry.Handle, Metrics: m, Log: opts.Log,
		Workers: workers, RetryBase: opts.QueueRetryBase, Poll: opts.Poll,
		OnDone: gauges.Invalidate, Slots: running, Busy: intake.Busy, Gather: opts.Gather,
	})
	intake.Stored = pool.Stored
	pg, err := page.New(page.Options{Store: opts.Store, Log: opts.Log, SignIn: opts.SignIn, SecureCookies: opts.SecureCookies,
		Window: opts.MetricsWindow, Now: opts.Now})
	if err != nil {
		return nil, err
	}
	a := &App{opts: opts, history: hist, registry: registry, pool: pool, metrics: m, gauges: gauges, mux: http.NewServeMux(), page: pg}
	a.mux.Handle("POST /webhook", intake)
	a.mux.Handle("/webhook", &webhook.Intake{Metrics: m, Log: opts.Log}) // other methods: 405
	a.mux.Handle("GET /metrics", promhttp.HandlerFor(opts.Registry, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(opts.Log.Handler(), slog.LevelError)}))
	a.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	a.mux.HandleFunc("GET /readyz", a.ready)
	return a, nil
}

func (a *App) ready(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := a.opts.Store.Ping(ctx); err != nil {
		http.Error(w, "store unavailable", http.StatusServiceUnavailable)
		return
	}
	if !a.pool.Running() {
		http.Error(w, "workers not running", http.StatusServiceUnavailable)
		return
	}
	fmt.Fprintln(w, "ready")
}

// Page is the leaders' page, served on UIListener by Serve.
func (a *App) Page() http.Handler { return a.page }

// RunWorkers processes deliveries until ctx ends, then gives in-flight work
// the shutdown grace period. Unfinished deliveries stay stored and resume at
// the next start.
func (a *App) RunWorkers(ctx context.Context) {
	// The background loops end with ctx; waiting for them keeps them from
	// touching a store the caller closes once this returns.
	var background sync.WaitGroup
	defer background.Wait()
	background.Go(func() { a.prune(ctx) })
	background.Go(func() { a.history.Run(ctx) })
	if a.opts.RollupEvery > 0 {
		background.Go(func() { a.rollups(ctx) })
	}
	if l, ok := a.opts.Store.(store.Listener); ok {
		// Other replicas' deliveries and finished batches wake this one.
		background.Go(func() {
			if err := l.Listen(ctx, a.pool.Wake); err != nil && ctx.Err() == nil {
				a.opts.Log.Warn("not listening for other replicas' wake-ups; the workers poll instead", "err", err)
			}
		})
	}
	a.pool.Run(ctx, a.opts.ShutdownGrace)
}

// History is the App's reading of GitHub's history: backfills, sweeps and
// redeliveries, for the backfill command and tests.
func (a *App) History() *history.History { return a.history }

// Prune forgets what the retention no longer covers, and the metric series
// of repositories the store no longer holds; the App does it hourly.
func (a *App) Prune(ctx context.Context) (int, error) {
	now := time.Now()
	done, err := a.opts.Store.PruneDone(ctx, now.Add(-a.opts.KeepDone))
	if err != nil {
		return done, err
	}
	// GitHub redelivers only what it sent in the last three days.
	rest, err := a.opts.Store.PruneHistory(ctx, now.Add(-a.opts.Retention), now.Add(-4*24*time.Hour))
	if err != nil {
		return done + rest, err
	}
	return done + rest, a.forgetDeparted(ctx)
}

// forgetDeparted drops the series of repositories the store no longer holds
// anything of: an uninstall or a removal that another replica handled (the
// one that handles it drops its own series at once).
func (a *App) forgetDeparted(ctx context.Context) error {
	series := a.metrics.RepositoriesWithSeries() // before the store: a repository new meanwhile is held by then
	if len(series) == 0 {
		return nil
	}
	held, err := a.opts.Store.Repositories(ctx)
	if err != nil {
		return err
	}
	backfills, err := a.opts.Store.Backfills(ctx, 0)
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, r := range held {
		known[r] = true
	}
	for _, b := range backfills {
		known[b.Repo] = true
	}
	for _, r := range series {
		if !known[r] {
			a.metrics.ForgetRepository(r)
		}
	}
	return nil
}

// TakeRollup stores every repository's figures as they stand now as the
// rollup of today (by the App's clock).
func (a *App) TakeRollup(ctx context.Context) error {
	return rollup.Take(ctx, a.opts.Store, a.opts.Now())
}

// rollups takes a rollup at start and then every RollupEvery, so each day's
// last rollup is taken within RollupEvery of its end.
func (a *App) rollups(ctx context.Context) {
	ticker := time.NewTicker(a.opts.RollupEvery)
	defer ticker.Stop()
	for {
		if err := a.TakeRollup(ctx); err != nil && ctx.Err() == nil {
			a.opts.Log.Warn("could not take the daily rollup", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// prune forgets, hourly, processed deliveries once redeliveries of them are
// unlikely, and what the retention no longer covers.
func (a *App) prune(ctx context.Context) {
	ticker := time.NewTicker(time.Hour)
	defer ticker.Stop()
	for {
		if n, err := a.Prune(ctx); err != nil && ctx.Err() == nil {
			a.opts.Log.Warn("could not prune what the retention no longer covers", "err", err)
		} else if n > 0 {
			a.opts.Log.Debug("pruned what the retention no longer covers", "rows", n)
		}
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
	}
}

// Serve runs the HTTP server on ln and the workers until ctx ends; then it
// stops taking webhooks, lets in-flight work finish within the grace period,
// and returns nil.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	var active atomic.Int64 // requests being handled now
	counted := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		active.Add(1)
		defer active.Add(-1)
		a.mux.ServeHTTP(w, r)
	})
	srv := &http.Server{
		Handler: counted,
		// Slow senders are cut off early; intake shortens a webhook body's
		// deadline further to fit its declared size.
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       webhook.BodyDeadline(-1),
		IdleTimeout:       time.Minute,
		MaxHeaderBytes:    64 << 10,
	}
	// One client cannot hold more than its share of connections, so hostile
	// senders on a few addresses leave room for GitHub's deliveries.
	ln = webhook.LimitClients(ln, webhook.MaxConnsPerClient, a.metrics.ConnectionsRefused.Inc)
	serveErr := make(chan error, 2)
	go func() { serveErr <- srv.Serve(ln) }()
	if a.opts.UIListener != nil {
		ui := &http.Server{Handler: a.page, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
			WriteTimeout: 30 * time.Second, IdleTimeout: time.Minute, MaxHeaderBytes: 64 << 10}
		go func() {
			if err := ui.Serve(a.opts.UIListener); err != nil && !errors.Is(err, http.ErrServerClosed) {
				serveErr <- fmt.Errorf("page: %w", err)
			}
		}()
		defer ui.Close()
		go func() {
			<-ctx.Done()
			shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			ui.Shutdown(shutdownCtx)
		}()
	}
	workersDone := make(chan struct{})
	go func() {
		a.RunWorkers(ctx)
		close(workersDone)
	}()
	select {
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.opts.ShutdownGrace)
	defer cancel()
	shutdown := make(chan error, 1)
	go func() { shutdown <- srv.Shutdown(shutdownCtx) }()
	// Shutdown also waits for connections that were opened but never sent
	// a request; once no request is in flight, close those at once.
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var err error
wait:
	for {
		select {
		case err = <-shutdown:
			break wait
		case <-tick.C:
			if active.Load() == 0 {
				srv.Close()
			}
		}
	}
	<-workersDone
	if err != nil && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("http server shutdown: %w", err)
	}
	return nil
}

// listDir lists a directory through an installation's client.
func listDir(clients *ghclient.Clients) config.ListFunc {
	return func(ctx context.Context, installationID int64, owner, repo, dir string) ([]config.Entry, bool, error) {
		client, err := clients.Installation(installationID)
		if err != nil {
			return nil, false, err
		}
		_, entries, _, err := client.Repositories.GetContents(ctx, owner, repo, dir, nil)
		if ghclient.IsNotFound(err) {
			return nil, false, nil
		}
		if err != nil {
			return nil, false, err
		}
		if entries == nil {
			return nil, false, nil // a file, not a directory
		}
		out := make([]config.Entry, 0, len(entries))
		for _, e := range entries {
			out = append(out, config.Entry{Name: e.GetName(), Dir: e.GetType() == "dir"})
		}
		return out, true, nil
	}
}

// fetchFile reads a file through an installation's client.
func fetchFile(clients *ghclient.Clients) config.FetchFunc {
	return func(ctx context.Context, installationID int64, owner, repo, path string) ([]byte, bool, error) {
		client, err := clients.Installation(installationID)
		if err != nil {
			return nil, false, err
		}
		data, size, found, err := ghclient.ReadFile(ctx, client, owner, repo, path, "", config.MaxFileBytes)
		if found && data == nil {
			return nil, true, config.TooLarge(int64(size))
		}
		return data, found, err
	}
}

// listRepos lists the repositories an installation reaches.
func listRepos(clients *ghclient.Clients) func(ctx context.Context, installationID int64) ([]string, error) {
	return func(ctx context.Context, installationID int64) ([]string, error) {
		client, err := clients.Installation(installationID)
		if err != nil {
			return nil, err
		}
		var out []string
		opts := &github.ListOptions{PerPage: 100}
		for {
			list, resp, err := client.Apps.ListRepos(ctx, opts)
			if err != nil {
				return nil, err
			}
			for _, r := range list.Repositories {
				out = append(out, r.GetFullName())
			}
			if resp.NextPage == 0 {
				return out, nil
			}
			opts.Page = resp.NextPage
		}
	}
}
