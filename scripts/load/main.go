// Command load measures how fast ownershipbot acknowledges signed webhook
// deliveries while its workers process them, how fast the queue drains, what
// a claim costs, how much CPU the App uses when idle, and how many GitHub
// requests each processed event costs. It runs the real App (one or several
// replicas) over real loopback listeners and a real store, against the
// simulated GitHub, and sends only to 127.0.0.1.
//
//	go run ./scripts/load -deliveries 20000 -concurrency 8             # spread over 200 issues
//	go run ./scripts/load -hot                                         # all on one issue
//	go run ./scripts/load -backlog 100000                              # a queue filled beforehand
//	go run ./scripts/load -backlog 50000 -outage 60                    # GitHub answers 502 for a minute
//	go run ./scripts/load -store postgres -replicas 3                  # three replicas on PostgreSQL
//	go run ./scripts/load -deliveries 20000 -concurrency 64 -rate 2000 # latency at 2,000/s
//	go run ./scripts/load -wrk 10s                                     # wrk sends, from a process of its own
//	go run ./scripts/load -wrk 10s -intake-only                        # acknowledgements alone, workers idle
//	go run ./scripts/load -wrk 10s -noop                               # reference: a handler that only checks the signature
//	go run ./scripts/load -wrk 10s -peer                               # first a Probot app that does nothing, then the App
//
// With -wrk DURATION the deliveries come from wrk (Debian's wrk package) for
// that long instead of from senders in this process, so sending costs this
// process nothing; -deliveries is then ignored. -intake-only keeps the
// workers from claiming anything, to measure acknowledgements alone; -noop
// serves, instead of the App, a handler that checks the signature and
// answers 202, as a reference for what HTTP and HMAC cost on the machine;
// -peer first sends the same deliveries to a Probot app that does nothing
// (scripts/probot-peer; run npm ci there once), then to the App, and prints
// the App's rate as a multiple of the peer's.
//
// Each delivery is an issues.labeled payload in GitHub's full shape, as the
// simulated GitHub renders it (about 8 KB: every user, repository and
// organization field); -small-payload sends a bare one of 450 bytes with
// only the fields the App reads, which is what figures measured before
// December 2026 sent.
//
// With -store postgres it uses a schema of its own in -database (by default
// $OWNERSHIPBOT_TEST_POSTGRES or the tests' PostgreSQL), dropped at the end.
package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/postgres"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/app/webhook"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

type config struct {
	deliveries, concurrency, issues, rate, workers int
	hot                                            bool
	backlog                                        int
	outage                                         time.Duration
	storeKind, database                            string
	replicas                                       int
	idleWindow                                     time.Duration
	wrk                                            time.Duration
	workersWhileBusy                               int
	gather                                         time.Duration
	intakeOnly, noop, peer                         bool
	peerDir                                        string
	smallPayload                                   bool
}

func main() {
	var cfg config
	flag.IntVar(&cfg.deliveries, "deliveries", 20000, "signed deliveries to send")
	flag.IntVar(&cfg.concurrency, "concurrency", 8, "concurrent senders (connections)")
	flag.IntVar(&cfg.issues, "issues", 200, "distinct issues the deliveries touch")
	flag.BoolVar(&cfg.hot, "hot", false, "send every delivery to one issue (-issues 1)")
	flag.IntVar(&cfg.rate, "rate", 0, "deliveries per second to offer (open loop); 0 sends as fast as the senders can")
	flag.IntVar(&cfg.backlog, "backlog", 0, "deliveries queued in the store before the App starts, spread over -issues")
	flag.Func("outage", "GitHub answers 502 to everything for this many seconds from the start (or a duration such as 1m30s)", func(v string) error {
		if secs, err := strconv.Atoi(v); err == nil {
			cfg.outage = time.Duration(secs) * time.Second
			return nil
		}
		d, err := time.ParseDuration(v)
		cfg.outage = d
		return err
	})
	flag.StringVar(&cfg.storeKind, "store", "sqlite", "sqlite or postgres")
	flag.StringVar(&cfg.database, "database", "", "PostgreSQL URL for -store postgres [$OWNERSHIPBOT_TEST_POSTGRES, else the tests' default]")
	flag.IntVar(&cfg.replicas, "replicas", 1, "Apps sharing the store (PostgreSQL only); senders spread over them")
	flag.IntVar(&cfg.workers, "workers", 0, "worker pool size per replica (0: the App's default)")
	flag.DurationVar(&cfg.idleWindow, "idle", 3*time.Second, "how long to measure CPU while idle")
	flag.IntVar(&cfg.workersWhileBusy, "workers-while-busy", 0, "workers using the CPU at once while webhooks arrive (0: the App's default; -1: no bound)")
	flag.DurationVar(&cfg.gather, "gather", 0, "how long workers wait, while webhooks arrive in bursts, to take an issue's deliveries as one batch (0: the App's default; negative: never)")
	flag.DurationVar(&cfg.wrk, "wrk", 0, "send with wrk for this long instead of from this process")
	flag.BoolVar(&cfg.intakeOnly, "intake-only", false, "workers claim nothing: measure acknowledgements alone")
	flag.BoolVar(&cfg.noop, "noop", false, "serve a handler that only checks the signature (with -wrk): a reference point")
	flag.BoolVar(&cfg.peer, "peer", false, "with -wrk: first measure a Probot app that does nothing on the same deliveries, then the App, and compare")
	flag.BoolVar(&cfg.smallPayload, "small-payload", false, "send a bare 450-byte payload instead of GitHub's full issues.labeled shape (about 8 KB), as figures before 2026-12-08 did")
	flag.StringVar(&cfg.peerDir, "peer-dir", filepath.Join("scripts", "probot-peer"), "where the Probot peer (index.js and its node_modules) is")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if cfg.hot {
		cfg.issues = 1
	}
	if cfg.replicas > 1 && cfg.storeKind != "postgres" {
		fmt.Fprintln(os.Stderr, "load: -replicas needs -store postgres: SQLite serves one process")
		os.Exit(2)
	}
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(cfg config) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	sim := githubsim.New(githubsim.Options{RateLimit: 1 << 30})
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	sim.SetAPIURL(simSrv.URL)
	sim.AddOrgMember("acme", "alice", "admin")
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		return err
	}
	instID, _, err := sim.InstallApp("alice", "acme")
	if err != nil {
		return err
	}
	bodies, err := openIssues(sim, cfg, instID)
	if err != nil {
		return err
	}

	stores, cleanup, err := openStores(ctx, cfg)
	if err != nil {
		return err
	}
	defer cleanup()
	claims, answered := &timings{}, &timings{}
	if cfg.backlog > 0 {
		t0 := time.Now()
		if err := fillBacklog(ctx, stores[0], cfg.backlog, instID, bodies); err != nil {
			return err
		}
		fmt.Printf("backlog: %d deliveries queued over %d issues in %s before the App started\n",
			cfg.backlog, cfg.issues, time.Since(t0).Round(time.Millisecond))
	}
	secret := []byte("load-secret")
	if cfg.noop {
		return serveNoop(ctx, cfg, secret, bodies)
	}
	var peerRate float64
	if cfg.peer {
		if peerRate, err = measurePeer(ctx, cfg, secret, bodies); err != nil {
			return err
		}
	}
	sim.ResetRequests()
	if cfg.outage > 0 {
		sim.SetOutage(true)
		time.AfterFunc(cfg.outage, func() { sim.SetOutage(false) })
	}
	var urls []string
	var served []chan error
	for _, st := range stores {
		a, err := app.New(app.Options{
			AppID: sim.AppID(), PrivateKey: sim.PrivateKeyPEM(), WebhookSecret: secret, GitHubAPIURL: simSrv.URL + "/",
			Store: &timedStore{Store: st, claims: claims, idle: cfg.intakeOnly}, Registry: prometheus.NewRegistry(),
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: cfg.workers,
			WorkersWhileBusy: cfg.workersWhileBusy, Gather: cfg.gather,
		})
		if err != nil {
			return err
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		done := make(chan error, 1)
		go func() { done <- a.Serve(ctx, &servedListener{Listener: ln, times: answered}) }()
		served = append(served, done)
		urls = append(urls, "http://"+ln.Addr().String()+"/webhook")
	}
	start := time.Now()
	sending := fmt.Sprintf("sending %d deliveries", cfg.deliveries)
	if cfg.wrk > 0 {
		sending = "wrk sending for " + cfg.wrk.String()
	}
	if cfg.intakeOnly {
		sending = "workers idle; " + sending
	}
	fmt.Printf("store %s, %d replica(s), %s workers each; %s over %d issue(s) from %d senders%s\n",
		cfg.storeKind, len(stores), workersLabel(cfg.workers), sending, cfg.issues, cfg.concurrency, outageLabel(cfg.outage))
	sent := cfg.deliveries
	cpuBefore, sendStart := cpuTime(), time.Now()
	if cfg.wrk > 0 {
		if sent, err = sendWrk(cfg, urls, secret, bodies); err != nil {
			return err
		}
	} else if err := send(cfg, urls, secret, bodies); err != nil {
		return err
	}
	fmt.Printf("answered, timed on the App's side of the connection: %s\n", answered.latencies())
	if peerRate > 0 {
		fmt.Printf("against the peer: %.2fx its acknowledgements per second (%.0f/s against %.0f/s)\n",
			float64(sent)/cfg.wrk.Seconds()/peerRate, float64(sent)/cfg.wrk.Seconds(), peerRate)
	}
	if cpuBefore >= 0 {
		used := cpuTime() - cpuBefore
		fmt.Printf("CPU while sending: %.0f%% of one core, %.1f µs per acknowledged delivery (with the workers' share)\n",
			100*used.Seconds()/time.Since(sendStart).Seconds(), float64(used.Microseconds())/float64(max(sent, 1)))
	}
	if cfg.intakeOnly {
		cancel()
		for _, done := range served {
			<-done
		}
		return nil
	}

	if cfg.outage > 0 && time.Since(start) < cfg.outage {
		// Nothing is sent now and every lane waits for GitHub.
		window := min(cfg.idleWindow, cfg.outage-time.Since(start))
		fmt.Printf("CPU during the outage, nothing sent: %s\n", measureCPU(window))
	}

	drained, err := waitDrained(ctx, stores[0])
	if err != nil {
		return err
	}
	total := sent + cfg.backlog
	fmt.Printf("drain: all %d deliveries processed %s after the first was sent: %.0f/s\n",
		total, drained.Sub(start).Round(time.Millisecond), float64(total)/drained.Sub(start).Seconds())
	fmt.Printf("claims: %s\n", claims.summary())
	sim.Wait()
	fmt.Printf("CPU while idle (queue empty, nothing sent): %s\n", measureCPU(cfg.idleWindow))

	reads, writes := 0, 0
	for _, r := range sim.Requests() {
		if r.Method == http.MethodGet {
			reads++
		} else if r.Route != "/app/installations/{installation_id}/access_tokens" {
			writes++
		}
	}
	fmt.Printf("GitHub requests per processed event: %.4f reads, %.4f writes (%d bot comments on %d issues)\n",
		float64(reads)/float64(total), float64(writes)/float64(total), countBot(sim, cfg.issues), cfg.issues)
	cancel()
	for _, done := range served {
		if err := <-done; err != nil {
			return err
		}
	}
	return nil
}

func workersLabel(n int) string {
	if n == 0 {
		return "the default"
	}
	return strconv.Itoa(n)
}

func outageLabel(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return fmt.Sprintf("; GitHub answers 502 for the first %s", d)
}

// send posts the signed deliveries, round robin over the replicas, and
// prints the acknowledgement rate and latency.
func send(cfg config, urls []string, secret []byte, bodies [][]byte) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: cfg.concurrency}}
	latencies := make([]time.Duration, cfg.deliveries)
	var next, refused atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range cfg.concurrency {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= cfg.deliveries {
					return
				}
				if cfg.rate > 0 { // open loop: send each delivery at its time, as GitHub would
					if wait := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(cfg.rate))); wait > 0 {
						time.Sleep(wait)
					}
				}
				body := bodies[i%len(bodies)]
				req, _ := http.NewRequest(http.MethodPost, urls[i%len(urls)], bytes.NewReader(body))
				req.Header.Set("X-GitHub-Event", "issues")
				req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("load-%d", i))
				req.Header.Set("X-Hub-Signature-256", webhook.Sign(secret, body))
				req.Header.Set("Content-Type", "application/json")
				t0 := time.Now()
				resp, err := client.Do(req)
				latencies[i] = time.Since(t0)
				if err != nil {
					refused.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusAccepted {
					refused.Add(1)
				}
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if len(latencies) == 0 {
		fmt.Println("acks: none sent (-deliveries 0)")
		return nil
	}
	slices.Sort(latencies)
	fmt.Printf("acks: %d signed deliveries in %s: %.0f/s; latency p50 %s, p99 %s, max %s; not 202: %d\n",
		cfg.deliveries, elapsed.Round(time.Millisecond), float64(cfg.deliveries)/elapsed.Seconds(),
		percentile(latencies, 0.50).Round(time.Microsecond), percentile(latencies, 0.99).Round(time.Microsecond),
		latencies[len(latencies)-1].Round(time.Microsecond), refused.Load())
	if refused.Load() > 0 {
		return fmt.Errorf("%d deliveries were not acknowledged with 202", refused.Load())
	}
	return nil
}

// openStores opens the store once per replica: a SQLite file in a
// temporary directory, or a fresh schema of PostgreSQL.
func openStores(ctx context.Context, cfg config) ([]store.Store, func(), error) {
	switch cfg.storeKind {
	case "sqlite":
		dir, err := os.MkdirTemp("", "ownershipbot-load")
		if err != nil {
			return nil, nil, err
		}
		st, err := sqlite.Open(ctx, filepath.Join(dir, "load.db"))
		if err != nil {
			os.RemoveAll(dir)
			return nil, nil, err
		}
		return []store.Store{st}, func() { st.Close(); os.RemoveAll(dir) }, nil
	case "postgres":
		base := cfg.database
		if base == "" {
			base = os.Getenv("OWNERSHIPBOT_TEST_POSTGRES")
		}
		if base == "" {
			base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
		}
		admin, err := pgx.Connect(ctx, base)
		if err != nil {
			return nil, nil, fmt.Errorf("connecting to PostgreSQL: %w", err)
		}
		b := make([]byte, 6)
		rand.Read(b)
		schema := "ownershipbot_load_" + hex.EncodeToString(b)
		if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
			admin.Close(ctx)
			return nil, nil, err
		}
		drop := func() {
			admin.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close(context.Background())
		}
		u, err := url.Parse(base)
		if err != nil {
			drop()
			return nil, nil, err
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		var stores []store.Store
		for range cfg.replicas {
			st, err := postgres.Open(ctx, u.String())
			if err != nil {
				for _, s := range stores {
					s.Close()
				}
				drop()
				return nil, nil, err
			}
			stores = append(stores, st)
		}
		return stores, func() {
			for _, s := range stores {
				s.Close()
			}
			drop()
		}, nil
	}
	return nil, nil, fmt.Errorf("-store %q: want sqlite or postgres", cfg.storeKind)
}

// fillBacklog queues n deliveries over the issues, as intake would have
// stored them, in groups of 500.
func fillBacklog(ctx context.Context, st store.Store, n int, instID int64, bodies [][]byte) error {
	bulk, ok := st.(interface {
		EnqueueAll(ctx context.Context, ds []store.Delivery) ([]bool, error)
	})
	if !ok {
		return errors.New("the store cannot enqueue in bulk")
	}
	for from := 0; from < n; from += 500 {
		var ds []store.Delivery
		for i := from; i < min(from+500, n); i++ {
			issue := i % len(bodies)
			ds = append(ds, store.Delivery{ID: fmt.Sprintf("backlog-%d", i), Event: "issues", Action: "labeled",
				InstallationID: instID, OrderKey: "acme/web#" + strconv.Itoa(issue+1), Payload: bodies[issue], ReceivedAt: time.Now()})
		}
		if _, err := bulk.EnqueueAll(ctx, ds); err != nil {
			return err
		}
	}
	return nil
}

func waitDrained(ctx context.Context, st store.Store) (time.Time, error) {
	for {
		n, err := st.Depth(ctx)
		if err != nil {
			return time.Time{}, err
		}
		if n == 0 {
			return time.Now(), nil
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// timedStore times the workers' claims; with idle set they find nothing.
type timedStore struct {
	store.Store
	claims *timings
	idle   bool
}

func (s *timedStore) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	if s.idle {
		return nil, store.ErrNoDelivery
	}
	t := time.Now()
	batch, err := s.Store.ClaimLane(ctx, opts)
	s.claims.add(time.Since(t), len(batch))
	return batch, err
}

func (s *timedStore) NextReady(ctx context.Context, opts store.ClaimOptions) (time.Time, bool, error) {
	if s.idle {
		return time.Time{}, false, nil
	}
	return s.Store.NextReady(ctx, opts)
}

// Listen passes the replicas' wake-ups through, where the store has them.
func (s *timedStore) Listen(ctx context.Context, wake func()) error {
	if l, ok := s.Store.(store.Listener); ok {
		return l.Listen(ctx, wake)
	}
	return nil
}

type timings struct {
	mu        sync.Mutex
	all       []time.Duration
	delivered int
}

func (t *timings) add(d time.Duration, n int) {
	t.mu.Lock()
	t.all = append(t.all, d)
	t.delivered += n
	t.mu.Unlock()
}

func (t *timings) summary() string {
	s, delivered := t.sorted()
	if len(s) == 0 {
		return "none"
	}
	return fmt.Sprintf("%d, %.1f deliveries each; p50 %s, p99 %s", len(s), float64(delivered)/float64(len(s)),
		percentile(s, 0.50).Round(time.Microsecond), percentile(s, 0.99).Round(time.Microsecond))
}

// sorted returns the times in order, and the deliveries they covered.
func (t *timings) sorted() ([]time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := slices.Clone(t.all)
	slices.Sort(s)
	return s, t.delivered
}

// percentile is the p-th of sorted times (p from 0 to 1).
func percentile(sorted []time.Duration, p float64) time.Duration {
	return sorted[int(float64(len(sorted)-1)*p)]
}

// latencies is the p50, p99 and longest of the times.
func (t *timings) latencies() string {
	s, _ := t.sorted()
	if len(s) == 0 {
		return "none"
	}
	return fmt.Sprintf("p50 %s, p99 %s, max %s", percentile(s, 0.50).Round(time.Microsecond),
		percentile(s, 0.99).Round(time.Microsecond), s[len(s)-1].Round(time.Microsecond))
}

// measureCPU reports the process's CPU use over a window, as a share of
// one core.
func measureCPU(window time.Duration) string {
	before, wall := cpuTime(), time.Now()
	if before < 0 {
		return "not measurable on this system"
	}
	time.Sleep(window)
	used := cpuTime() - before
	return fmt.Sprintf("%.2f%% of one core over %s", 100*used.Seconds()/time.Since(wall).Seconds(), window.Round(time.Millisecond))
}

func countBot(sim *githubsim.Sim, issues int) int {
	n := 0
	for i := 1; i <= issues; i++ {
		n += len(sim.BotComments("acme/web", i))
	}
	return n
}

// openIssues opens the issues the deliveries touch, so that processing does
// real work against the simulated GitHub, and returns an issues.labeled
// payload for each: the one the simulated GitHub sends, in GitHub's full
// shape (every user, repository and organization field; about 8 KB), or
// with -small-payload only the fields the App reads.
func openIssues(sim *githubsim.Sim, cfg config, instID int64) ([][]byte, error) {
	var captured [][]byte
	if !cfg.smallPayload {
		sink := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		defer sink.Close()
		sim.SetWebhook(sink.URL, "unused")
		defer sim.SetWebhook("", "")
	}
	for i := range cfg.issues {
		n, _, err := sim.OpenIssue("alice", "acme/web", githubsim.IssueInput{Title: "Issue " + strconv.Itoa(i), Body: "It is broken."})
		if err != nil {
			return nil, err
		}
		if cfg.smallPayload {
			captured = append(captured, smallPayload(instID, n))
			continue
		}
		d, err := sim.LabelIssue("alice", "acme/web", n, "bug")
		if err != nil {
			return nil, err
		}
		captured = append(captured, d.Body)
	}
	size := 0
	for _, b := range captured {
		size += len(b)
	}
	fmt.Printf("payloads: issues.labeled, %d bytes on average\n", size/len(captured))
	return captured, nil
}

// smallPayload is an issues.labeled delivery of a bare issue with only the
// fields the App reads.
func smallPayload(installationID int64, number int) []byte {
	return []byte(fmt.Sprintf(`{"action":"labeled","issue":{"number":%d,"title":"Issue %d","body":"It is broken.","state":"open","user":{"login":"alice","type":"User"},"labels":[{"name":"bug"}],"assignees":[],"created_at":"2026-11-01T10:00:00Z","html_url":"https://github.com/acme/web/issues/%d"},"label":{"name":"bug"},"repository":{"full_name":"acme/web","name":"web","owner":{"login":"acme"},"default_branch":"main"},"sender":{"login":"alice","type":"User"},"installation":{"id":%d}}`,
		number, number-1, number, installationID))
}
