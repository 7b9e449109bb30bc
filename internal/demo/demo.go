// Package demo runs ownershipbot against a simulated GitHub org: the real
// server, store, HTTP and signatures, with people's actions replayed as
// signed webhooks from app/githubsim. It is how a newcomer sees the whole
// product with one command and no GitHub account.
package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/page"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/demo/scenario"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// Options configures a demo run.
type Options struct {
	Listener net.Listener // where the App serves /webhook, /metrics, /healthz, /readyz
	// UIListener is where the leaders' page is served, without sign-in
	// (UI_ADDR); nil: no page.
	UIListener net.Listener
	Store      store.Store
	Log        *slog.Logger
	Out        io.Writer // the summary and where to look
	Once       bool      // exit after the summary instead of serving until ctx ends

	// SignIn puts the page behind "Sign in with GitHub" against the
	// simulated GitHub's OAuth client, for tests of who may see what.
	SignIn bool
}

// Demo is a replayed demo org, still served until Stop.
type Demo struct {
	Sim     *githubsim.Sim
	App     *app.App
	Org     scenario.Org
	BaseURL string // the App: /webhook, /metrics, ...
	PageURL string // the leaders' page, "" without UIListener
	SimURL  string // the simulated GitHub: its API, OAuth and web pages

	store   store.Store
	served  chan error
	stop    func()
	stopErr error
}

// Run replays the demo org and prints a summary per repository.
func Run(ctx context.Context, opts Options) error {
	d, err := Start(ctx, opts)
	if err != nil {
		return err
	}
	defer d.Stop()
	if err := d.PrintSummary(ctx, opts.Out); err != nil {
		return err
	}
	if opts.Once {
		return d.Stop()
	}
	if d.PageURL != "" {
		fmt.Fprintf(opts.Out, "\nThe leaders' page: %s (no sign-in on the demo).\n", d.PageURL)
	}
	fmt.Fprintf(opts.Out, "Still serving %s/metrics; press Ctrl-C to stop.\n", d.BaseURL)
	<-ctx.Done()
	return d.Stop()
}

// Start starts the App and the simulated GitHub, replays the demo org's
// month and returns once every delivery is processed; the App serves until
// Stop.
func Start(ctx context.Context, opts Options) (*Demo, error) {
	// The demo's workers would take any queued delivery, and fail it against
	// the simulated GitHub: never touch a queue that serve still owns.
	if n, err := opts.Store.Depth(ctx); err != nil {
		return nil, err
	} else if n > 0 {
		return nil, fmt.Errorf("the database holds %d unprocessed deliveries (from ownershipbot serve, or an interrupted demo); give the demo a database of its own, such as --database-url sqlite:ownershipbot-demo.db", n)
	}
	clk := newClock(time.Now())
	sim := githubsim.New(githubsim.Options{Now: clk.now})
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("start the simulated GitHub: %w", err)
	}
	simSrv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go simSrv.Serve(simLn)
	simURL := "http://" + simLn.Addr().String()
	sim.SetAPIURL(simURL)
	sim.SetWebURL(simURL) // issue links lead to the simulated GitHub's pages

	var signIn *page.SignIn
	if opts.SignIn {
		id, secret := sim.OAuthClient()
		signIn = &page.SignIn{ClientID: id, ClientSecret: secret, APIURL: simURL + "/"}
	}
	secret := randomSecret()
	a, err := app.New(app.Options{
		AppID: sim.AppID(), PrivateKey: sim.PrivateKeyPEM(), WebhookSecret: []byte(secret),
		GitHubAPIURL: simURL + "/", Store: opts.Store, Registry: prometheus.NewRegistry(), Log: opts.Log,
		QueueRetryBase: time.Second, Now: clk.now, RollupEvery: -1,
		UIListener: opts.UIListener, SignIn: signIn,
	})
	if err != nil {
		simSrv.Close()
		return nil, err
	}
	serveCtx, stopServe := context.WithCancel(ctx)
	d := &Demo{Sim: sim, App: a, Org: scenario.Build(), SimURL: simURL, store: opts.Store, served: make(chan error, 1)}
	var once sync.Once
	d.stop = func() {
		once.Do(func() {
			stopServe()
			d.stopErr = <-d.served
			simSrv.Close()
		})
	}
	go func() { d.served <- a.Serve(serveCtx, opts.Listener) }()

	d.BaseURL = localURL(opts.Listener.Addr())
	if opts.UIListener != nil {
		d.PageURL = localURL(opts.UIListener.Addr()) + "/"
		sim.SetOAuthCallback(localURL(opts.UIListener.Addr()) + "/auth/callback")
	}
	sim.SetWebhook(d.BaseURL+"/webhook", secret)
	fmt.Fprintf(opts.Out, "ownershipbot demo: the App serves %s (webhooks at /webhook), the simulated GitHub %s.\n", d.BaseURL, simURL)
	fmt.Fprintf(opts.Out, "Metrics: %s/metrics   Health: %s/healthz   Ready: %s/readyz\n", d.BaseURL, d.BaseURL, d.BaseURL)
	if d.PageURL != "" {
		fmt.Fprintf(opts.Out, "The leaders' page: %s\n", d.PageURL)
	}
	fmt.Fprintln(opts.Out)

	fail := func(err error) (*Demo, error) {
		d.Stop()
		return nil, err
	}
	if err := forgetEarlierRun(ctx, opts.Store, d.Org); err != nil {
		return fail(err)
	}
	start := time.Now()
	p := &player{sim: sim, org: d.Org, out: opts.Out, clock: clk}
	// Each simulated day ends once its deliveries are processed, with the
	// day's rollup, as the workers would take it near midnight.
	p.endOfDay = func() error {
		if err := waitDrained(ctx, sim, opts.Store); err != nil {
			return err
		}
		return a.TakeRollup(ctx)
	}
	if err := p.setup(); err != nil {
		return fail(err)
	}
	if err := p.play(); err != nil {
		return fail(err)
	}
	if err := p.endOfDay(); err != nil {
		return fail(err)
	}
	clk.catchUp()
	if err := a.TakeRollup(ctx); err != nil { // today's
		return fail(err)
	}
	fmt.Fprintf(opts.Out, "Replayed %d webhook deliveries, a month of the org's activity, in %s.\n\n", len(sim.Deliveries()), time.Since(start).Round(time.Millisecond))
	return d, nil
}

// Stop stops the App and the simulated GitHub; it returns the App's error,
// if serving failed.
func (d *Demo) Stop() error {
	d.stop()
	return d.stopErr
}

// PrintSummary prints the figures of every repository, as the page and
// /metrics show them.
func (d *Demo) PrintSummary(ctx context.Context, w io.Writer) error {
	return printSummary(ctx, w, d.store, d.Sim, d.Org)
}

// forgetEarlierRun removes what an earlier demo left in the same store, so
// that counts are this run's.
func forgetEarlierRun(ctx context.Context, st store.Store, org scenario.Org) error {
	for _, r := range org.Repos {
		if err := st.DeleteRepository(ctx, strings.ToLower(org.Login+"/"+r.Name)); err != nil {
			return fmt.Errorf("clear the demo's earlier data: %w", err)
		}
	}
	return nil
}

// waitDrained waits until every webhook, including those the App's own
// comments cause, is sent and processed.
func waitDrained(ctx context.Context, sim *githubsim.Sim, st store.Store) error {
	deadline := time.Now().Add(5 * time.Minute)
	quiet := 0
	for quiet < 3 {
		if time.Now().After(deadline) {
			return errors.New("the demo's deliveries were not all processed within 5 minutes")
		}
		sim.Wait()
		depth, err := st.Depth(ctx)
		if err != nil {
			return err
		}
		if depth == 0 {
			quiet++
		} else {
			quiet = 0
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
	return nil
}

func localURL(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		port := 0
		if ok {
			port = tcp.Port
		}
		return fmt.Sprintf("http://127.0.0.1:%d", port)
	}
	return "http://" + addr.String()
}

func randomSecret() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
