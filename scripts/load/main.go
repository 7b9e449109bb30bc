// Command load measures how fast ownershipbot acknowledges signed webhook
// deliveries, and how many GitHub requests each processed event costs. It
// runs the real App over a real loopback listener and a SQLite file,
// against the simulated GitHub, and sends only to 127.0.0.1.
//
//	go run ./scripts/load -deliveries 20000 -concurrency 32            # as fast as possible
//	go run ./scripts/load -deliveries 20000 -concurrency 64 -rate 2000 # latency at 2,000/s
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/app/webhook"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

var workers int

func main() {
	deliveries := flag.Int("deliveries", 20000, "signed deliveries to send")
	concurrency := flag.Int("concurrency", 32, "concurrent senders")
	issues := flag.Int("issues", 200, "distinct issues the deliveries touch")
	rate := flag.Int("rate", 0, "deliveries per second to offer (open loop); 0 sends as fast as the senders can")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.IntVar(&workers, "workers", 0, "worker pool size (0: the App's default)")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "load:", err)
			os.Exit(1)
		}
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	if err := run(*deliveries, *concurrency, *issues, *rate); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		pprof.StopCPUProfile()
		os.Exit(1)
	}
}

func run(total, concurrency, issues, rate int) error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir, err := os.MkdirTemp("", "ownershipbot-load")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	sim := githubsim.New(githubsim.Options{RateLimit: 1 << 30})
	simSrv := httptest.NewServer(sim)
	defer simSrv.Close()
	sim.SetAPIURL(simSrv.URL)
	sim.AddOrgMember("acme", "alice", "admin")
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		return err
	}
	st, err := sqlite.Open(ctx, filepath.Join(dir, "load.db"))
	if err != nil {
		return err
	}
	defer st.Close()
	secret := []byte("load-secret")
	a, err := app.New(app.Options{
		AppID: sim.AppID(), PrivateKey: sim.PrivateKeyPEM(), WebhookSecret: secret, GitHubAPIURL: simSrv.URL + "/",
		Store: st, Registry: prometheus.NewRegistry(), Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Workers: workers,
	})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	served := make(chan error, 1)
	go func() { served <- a.Serve(ctx, ln) }()
	url := "http://" + ln.Addr().String() + "/webhook"
	sim.SetWebhook(url, string(secret))

	// Real issues, so that processing does real work against the simulated GitHub.
	instID, _, err := sim.InstallApp("alice", "acme")
	if err != nil {
		return err
	}
	sim.SetWebhook("", "") // from here on this tool sends the webhooks itself
	for i := range issues {
		if _, _, err := sim.OpenIssue("alice", "acme/web", githubsim.IssueInput{Title: "Issue " + strconv.Itoa(i), Body: "It is broken."}); err != nil {
			return err
		}
	}
	sim.ResetRequests()

	bodies := make([][]byte, issues)
	for i := range bodies {
		bodies[i] = payload(instID, i+1)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: concurrency}}
	latencies := make([]time.Duration, total)
	var next, refused atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= total {
					return
				}
				if rate > 0 { // open loop: send each delivery at its time, as GitHub would
					if wait := time.Until(start.Add(time.Duration(i) * time.Second / time.Duration(rate))); wait > 0 {
						time.Sleep(wait)
					}
				}
				body := bodies[i%issues]
				req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
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
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	pct := func(p float64) time.Duration { return latencies[int(float64(len(latencies)-1)*p)] }
	fmt.Printf("acknowledged %d signed deliveries in %s with %d senders: %.0f/s; latency p50 %s, p99 %s, max %s; not 202: %d\n",
		total, elapsed.Round(time.Millisecond), concurrency, float64(total)/elapsed.Seconds(),
		pct(0.50).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), latencies[len(latencies)-1].Round(time.Microsecond), refused.Load())

	for {
		n, err := st.Depth(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	sim.Wait()
	reads, writes := 0, 0
	for _, r := range sim.Requests() {
		if r.Method == http.MethodGet {
			reads++
		} else if r.Route != "/app/installations/{installation_id}/access_tokens" {
			writes++
		}
	}
	all := time.Since(start)
	fmt.Printf("processed all %d deliveries %s after the first was sent: %.0f/s; GitHub requests per processed event: %.4f reads, %.4f writes (%d bot comments on %d issues)\n",
		total, all.Round(time.Millisecond), float64(total)/all.Seconds(),
		float64(reads)/float64(total), float64(writes)/float64(total), countBot(sim, issues), issues)
	cancel()
	return <-served
}

func countBot(sim *githubsim.Sim, issues int) int {
	n := 0
	for i := 1; i <= issues; i++ {
		n += len(sim.BotComments("acme/web", i))
	}
	return n
}

// payload is an issues.labeled delivery of a bare issue, as GitHub sends it
// in shape (the fields the App reads).
func payload(installationID int64, number int) []byte {
	return []byte(fmt.Sprintf(`{"action":"labeled","issue":{"number":%d,"title":"Issue %d","body":"It is broken.","state":"open","user":{"login":"alice","type":"User"},"labels":[{"name":"bug"}],"assignees":[],"created_at":"2026-11-01T10:00:00Z","html_url":"https://github.com/acme/web/issues/%d"},"label":{"name":"bug"},"repository":{"full_name":"acme/web","name":"web","owner":{"login":"acme"},"default_branch":"main"},"sender":{"login":"alice","type":"User"},"installation":{"id":%d}}`,
		number, number-1, number, installationID))
}
