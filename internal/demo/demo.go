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
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/demo/scenario"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// Options configures a demo run.
type Options struct {
	Listener net.Listener // where the App serves /webhook, /metrics, /healthz, /readyz
	Store    store.Store
	Log      *slog.Logger
	Out      io.Writer // the summary and where to look
	Once     bool      // exit after the summary instead of serving until ctx ends
}

// Run replays the demo org and prints a summary per repository.
func Run(ctx context.Context, opts Options) error {
	// The demo's workers would take any queued delivery, and fail it against
	// the simulated GitHub: never touch a queue that serve still owns.
	if n, err := opts.Store.Depth(ctx); err != nil {
		return err
	} else if n > 0 {
		return fmt.Errorf("the database holds %d unprocessed deliveries (from ownershipbot serve, or an interrupted demo); give the demo a database of its own, such as --database-url sqlite:ownershipbot-demo.db", n)
	}
	sim := githubsim.New(githubsim.Options{})
	simLn, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("start the simulated GitHub: %w", err)
	}
	simSrv := &http.Server{Handler: sim, ReadHeaderTimeout: 10 * time.Second}
	go simSrv.Serve(simLn)
	defer simSrv.Close()
	simURL := "http://" + simLn.Addr().String()
	sim.SetAPIURL(simURL)

	secret := randomSecret()
	a, err := app.New(app.Options{
		AppID: sim.AppID(), PrivateKey: sim.PrivateKeyPEM(), WebhookSecret: []byte(secret),
		GitHubAPIURL: simURL + "/", Store: opts.Store, Registry: prometheus.NewRegistry(), Log: opts.Log,
		QueueRetryBase: time.Second,
	})
	if err != nil {
		return err
	}
	serveCtx, stopServe := context.WithCancel(ctx)
	defer stopServe()
	served := make(chan error, 1)
	go func() { served <- a.Serve(serveCtx, opts.Listener) }()

	base := localURL(opts.Listener.Addr())
	sim.SetWebhook(base+"/webhook", secret)
	fmt.Fprintf(opts.Out, "ownershipbot demo: the App serves %s (webhooks at /webhook), the simulated GitHub %s.\n", base, simURL)
	fmt.Fprintf(opts.Out, "Metrics: %s/metrics   Health: %s/healthz   Ready: %s/readyz\n\n", base, base, base)

	org := scenario.Build()
	if err := forgetEarlierRun(ctx, opts.Store, org); err != nil {
		return err
	}
	start := time.Now()
	p := &player{sim: sim, org: org, out: opts.Out}
	if err := p.setup(); err != nil {
		return err
	}
	if err := p.play(); err != nil {
		return err
	}
	if err := waitDrained(ctx, sim, opts.Store); err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "Replayed %d webhook deliveries in %s.\n\n", len(sim.Deliveries()), time.Since(start).Round(time.Millisecond))
	if err := printSummary(ctx, opts.Out, opts.Store, sim, org); err != nil {
		return err
	}

	if opts.Once {
		stopServe()
		return <-served
	}
	fmt.Fprintf(opts.Out, "\nStill serving %s/metrics; press Ctrl-C to stop.\n", base)
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
		return <-served
	}
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
