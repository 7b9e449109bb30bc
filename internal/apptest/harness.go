// Package apptest runs the real ownershipbot App, over a real listener and
// a real SQLite file, against the simulated GitHub, for end-to-end tests.
package apptest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/dburl"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

// Secret is the webhook secret the harness's App and simulated GitHub share.
const Secret = "it's a secret to everybody"

// Harness is a running App wired to a simulated GitHub.
type Harness struct {
	T        testing.TB
	Sim      *githubsim.Sim
	Store    store.Store
	App      *app.App
	Registry *prometheus.Registry
	URL      string // the App's base URL
	SimURL   string // the simulated GitHub's base URL
	DBPath   string
	// DatabaseURL is DATABASE_URL of the store, when not DBPath.
	DatabaseURL string

	transport  http.RoundTripper
	sweepEvery time.Duration
	app        *githubsim.App
	stop       context.CancelFunc
	stopped    chan error
}

// Options tunes a Harness.
type Options struct {
	DBPath string // a SQLite file; a new temp file when empty
	// DatabaseURL, when set, is used instead of DBPath (e.g. PostgreSQL).
	DatabaseURL string
	// Setup prepares the simulated world before the App starts.
	Setup func(sim *githubsim.Sim)
	// Transport, when set, carries the App's requests to GitHub, e.g. to
	// lose an answer on the way back.
	Transport http.RoundTripper
	Sim       *githubsim.Sim // reuse a simulated GitHub...
	SimURL    string         // ...served here
	// App, when set, is another App registered on Sim (Sim.AddApp) for the
	// harness to run as, instead of the Sim's own; the test installs it.
	App *githubsim.App
	// SimNow is the simulated world's clock (created_at, updated_at, ...)
	// for a new simulated GitHub; time.Now when nil.
	SimNow func() time.Time
	// SimOptions configure a new simulated GitHub (rate limits, say).
	SimOptions githubsim.Options
	// SweepEvery is the App's app.Options.SweepEvery: how often each
	// repository is swept at most, and half of it how often the App's
	// background loop looks for work [the App's default, 10m].
	SweepEvery time.Duration
}

// Start runs an App with fast retries against a simulated GitHub that has
// the org "acme" with repository "acme/web" and the App installed.
func Start(t testing.TB, opts Options) *Harness {
	t.Helper()
	h := &Harness{T: t, DBPath: opts.DBPath, DatabaseURL: opts.DatabaseURL, Sim: opts.Sim, SimURL: opts.SimURL, transport: opts.Transport, sweepEvery: opts.SweepEvery, app: opts.App}
	if h.DBPath == "" {
		h.DBPath = filepath.Join(t.TempDir(), "ownershipbot.db")
	}
	fresh := h.Sim == nil
	if fresh {
		simOpts := opts.SimOptions
		if opts.SimNow != nil {
			simOpts.Now = opts.SimNow
		}
		h.Sim = githubsim.New(simOpts)
		simSrv := httptest.NewServer(h.Sim)
		t.Cleanup(simSrv.Close)
		h.Sim.SetAPIURL(simSrv.URL)
		h.SimURL = simSrv.URL
		h.Sim.AddOrgMember("acme", "alice", "admin")
		h.Sim.AddOrgMember("acme", "bob", "member")
		h.Sim.AddUser("outsider", "User")
		if err := h.Sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
		if opts.Setup != nil {
			opts.Setup(h.Sim)
		}
	}
	h.startApp()
	t.Cleanup(h.checkRoutes)
	if fresh {
		if _, d, err := h.Sim.InstallApp("alice", "acme"); err != nil || d.Status != http.StatusAccepted {
			t.Fatalf("install the App: status %d, err %v", d.Status, err)
		}
	}
	return h
}

func (h *Harness) startApp() {
	t := h.T
	var st store.Store
	var err error
	if h.DatabaseURL != "" {
		st, err = dburl.Open(context.Background(), h.DatabaseURL)
	} else {
		st, err = sqlite.Open(context.Background(), h.DBPath)
	}
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	h.Store = st
	h.Registry = prometheus.NewRegistry()
	appID, key := h.Sim.AppID(), h.Sim.PrivateKeyPEM()
	if h.app != nil {
		appID, key = h.app.ID(), h.app.PrivateKeyPEM()
	}
	a, err := app.New(app.Options{
		AppID: appID, PrivateKey: key, WebhookSecret: []byte(Secret),
		GitHubAPIURL: h.SimURL + "/", Store: st, Registry: h.Registry,
		Log:            slog.New(slog.NewTextHandler(io.Discard, nil)),
		QueueRetryBase: 20 * time.Millisecond, HTTPRetryBase: 5 * time.Millisecond, Poll: 10 * time.Millisecond,
		ShutdownGrace: 3 * time.Second, Transport: h.transport, SweepEvery: h.sweepEvery,
	})
	if err != nil {
		t.Fatalf("app.New: %v", err)
	}
	h.App = a
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	h.URL = "http://" + ln.Addr().String()
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	h.stopped = make(chan error, 1)
	go func() { h.stopped <- a.Serve(ctx, ln) }()
	if h.app != nil {
		h.app.SetWebhook(h.URL+"/webhook", Secret)
	} else {
		h.Sim.SetWebhook(h.URL+"/webhook", Secret)
	}
	t.Cleanup(h.Stop)
}

// Stop shuts the App down gracefully and closes its store; it is safe to
// call twice.
func (h *Harness) Stop() {
	if h.stop == nil {
		return
	}
	h.stop()
	if err := <-h.stopped; err != nil {
		h.T.Errorf("App stopped with error: %v", err)
	}
	h.Store.Close()
	h.stop = nil
}

// Idle waits until every webhook has been sent and every stored delivery
// processed, including those the App's own comments cause.
func (h *Harness) Idle() {
	h.T.Helper()
	h.IdleWithin(20 * time.Second)
}

// IdleWithin is Idle with a deadline of its own, for long work such as a
// large backfill.
func (h *Harness) IdleWithin(limit time.Duration) {
	h.T.Helper()
	deadline := time.Now().Add(limit)
	quiet := 0
	for quiet < 3 {
		if time.Now().After(deadline) {
			h.T.Fatalf("deliveries still queued after %s", limit)
		}
		h.Sim.Wait()
		n, err := h.Store.Depth(context.Background())
		if err != nil {
			h.T.Fatal(err)
		}
		if n == 0 {
			quiet++
		} else {
			quiet = 0
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Accepted fails the test unless the App accepted a delivery with 202.
func (h *Harness) Accepted(d githubsim.Delivery, err error) githubsim.Delivery {
	h.T.Helper()
	if err != nil {
		h.T.Fatalf("deliver: %v", err)
	}
	if d.Status != http.StatusAccepted {
		h.T.Fatalf("%s.%s delivery %s: status %d, want 202", d.Event, d.Action, d.ID, d.Status)
	}
	return d
}

// Counter returns the value of a counter or gauge series from the App's registry.
func (h *Harness) Counter(name string, labels map[string]string) float64 {
	h.T.Helper()
	for _, m := range h.series(name, labels) {
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue()
		case m.Gauge != nil:
			return m.GetGauge().GetValue()
		}
	}
	return 0
}

// Histogram returns the observations and their sum over the histogram
// series of name that carry labels (every series, for none).
func (h *Harness) Histogram(name string, labels map[string]string) (count uint64, sum float64) {
	h.T.Helper()
	for _, m := range h.series(name, labels) {
		count += m.GetHistogram().GetSampleCount()
		sum += m.GetHistogram().GetSampleSum()
	}
	return count, sum
}

// series returns the series of name in the App's registry that carry every
// one of labels with its value.
func (h *Harness) series(name string, labels map[string]string) []*dto.Metric {
	h.T.Helper()
	families, err := h.Registry.Gather()
	if err != nil {
		h.T.Fatal(err)
	}
	var out []*dto.Metric
	for _, f := range families {
		if f.GetName() != name {
			continue
		}
		for _, m := range f.GetMetric() {
			matched := 0
			for _, lp := range m.GetLabel() {
				if want, ok := labels[lp.GetName()]; ok {
					if want != lp.GetValue() {
						break
					}
					matched++
				}
			}
			if matched == len(labels) {
				out = append(out, m)
			}
		}
	}
	return out
}

// checkRoutes fails the test if the App made a request that is not a route
// of GitHub's REST API, as GitHub's OpenAPI description defines it.
func (h *Harness) checkRoutes() {
	spec := openapitest.Load(h.T)
	for _, q := range h.Sim.GraphQLRequests() {
		if q.Invalid != "" {
			h.T.Errorf("the App sent a GraphQL query that does not validate against GitHub's schema: %s\n%s", q.Invalid, q.Query)
		}
	}
	for _, r := range h.Sim.Requests() {
		if r.Route == githubsim.GraphQLRoute {
			continue // checked against GitHub's GraphQL schema above
		}
		tmpl, ok := spec.Match(r.Method, r.Path)
		if !ok {
			h.T.Errorf("the App called %s %s, which is not a route of GitHub's REST API", r.Method, r.Path)
			continue
		}
		if route := ghclient.Route(r.Path); route != tmpl {
			h.T.Errorf("%s %s is GitHub's route %s, but the App's metrics label it %s", r.Method, r.Path, tmpl, route)
		}
	}
}
