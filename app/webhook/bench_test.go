package webhook_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/webhook"
)

// BenchmarkAcknowledge measures the intake path of one signed delivery:
// signature check, envelope parse, durable insert into a SQLite file, 202.
// It reports acknowledgements per second and latency percentiles.
func BenchmarkAcknowledge(b *testing.B) {
	in, _, _ := newIntake(b)
	body := bytes.Repeat([]byte(" "), 6<<10) // a typical issues payload is 5-10 KB
	body = append([]byte(issueOpened[:len(issueOpened)-1]+`,"padding":"`), body...)
	body = append(body, `"}`...)
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
