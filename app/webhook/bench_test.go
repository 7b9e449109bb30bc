package webhook_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/webhook"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

// BenchmarkAcknowledge measures the intake path of one signed delivery:
// signature check, envelope parse, durable insert into a SQLite file, 202.
// The delivery is GitHub's own example of issues.opened (11 KB), with an
// installation added. It reports acknowledgements per second and latency
// percentiles.
func BenchmarkAcknowledge(b *testing.B) {
	in, _, _ := newIntake(b)
	body := gitHubIssueOpened(b)
	sig := webhook.Sign(secret, body)
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		local := make([]time.Duration, 0, 1024)
		for pb.Next() {
			req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
			req.Header.Set("X-GitHub-Event", "issues")
			req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("bench-%d", seq.Add(1)))
			req.Header.Set("X-Hub-Signature-256", sig)
			rec := httptest.NewRecorder()
			t0 := time.Now()
			in.ServeHTTP(rec, req)
			local = append(local, time.Since(t0))
			if rec.Code != http.StatusAccepted {
				b.Errorf("status %d", rec.Code)
			}
		}
		mu.Lock()
		lat = append(lat, local...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	slices.Sort(lat)
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "acks/s")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
}

// BenchmarkHeaderHolders holds 1,000 forged connections that declare 24 MiB
// bodies and send nothing, then acknowledges signed deliveries beside them.
// The holders come from eight client addresses, so each stays within the
// limit per client and all 1,000 reach intake (spread), or from one address,
// past the limit (one-client). It reports heap and stacks in use with the
// holders open (heap-MiB) against before (base-MiB), the connections
// refused on arrival, and the deliveries' latency.
func BenchmarkHeaderHolders(b *testing.B) {
	for _, bc := range []struct {
		name    string
		clients int
	}{{"spread", 8}, {"one-client", 1}} {
		b.Run(bc.name, func(b *testing.B) { benchHeaderHolders(b, bc.clients) })
	}
}

func benchHeaderHolders(b *testing.B, clients int) {
	srv := holdersServer(b)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse + ms.StackInuse
	const holders = 1000
	for i := range holders {
		holdHeaders(b, srv.Listener.Addr().String(), fmt.Sprintf("127.0.0.%d", 2+i%clients))
	}
	admitted := int64(min(holders, clients*webhook.MaxConnsPerClient))
	waitFor(b, "forged requests reaching intake", &srv.held, admitted)
	waitFor(b, "connections refused", &srv.refused, holders-admitted)
	runtime.ReadMemStats(&ms)
	heap := ms.HeapInuse + ms.StackInuse
	body := []byte(issueOpened)
	sig := webhook.Sign(secret, body)
	client := &http.Client{Timeout: 30 * time.Second}
	var lat []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header.Set("X-GitHub-Event", "issues")
		req.Header.Set("X-GitHub-Delivery", fmt.Sprintf("held-%d", i))
		req.Header.Set("X-Hub-Signature-256", sig)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != http.StatusAccepted {
			b.Fatalf("signed delivery got %d beside the holders", resp.StatusCode)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(base)/(1<<20), "base-MiB")
	b.ReportMetric(float64(heap)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(srv.held.Load()), "held")
	b.ReportMetric(float64(srv.refused.Load()), "refused")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

// gitHubIssueOpened is GitHub's first documented issues.opened payload,
// as an installed App receives it (with its installation).
func gitHubIssueOpened(b *testing.B) []byte {
	for _, ev := range openapitest.Examples(b) {
		for _, raw := range ev.Examples {
			var ex map[string]any
			if err := json.Unmarshal(raw, &ex); err != nil {
				b.Fatal(err)
			}
			if ev.Name == "issues" && ex["action"] == "opened" {
				ex["installation"] = map[string]any{"id": 42}
				body, err := json.Marshal(ex)
				if err != nil {
					b.Fatal(err)
				}
				return body
			}
		}
	}
	b.Fatal("GitHub's examples hold no issues.opened")
	return nil
}
