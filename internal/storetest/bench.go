package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Payload returns a webhook body of about size bytes shaped like an issues
// event, for benchmarks.
func Payload(size int) []byte {
	head := `{"action":"opened","issue":{"number":1234,"title":"Checkout fails for EU customers","body":"`
	tail := `"},"repository":{"full_name":"acme/web"},"installation":{"id":42}}`
	body := strings.Repeat("Customers in the EU cannot complete checkout since the VAT change. ", size/66+1)
	return []byte(head + body[:max(0, size-len(head)-len(tail))] + tail)
}

// latencies collects per-operation durations from parallel goroutines.
type latencies struct {
	mu  sync.Mutex
	all []time.Duration
}

func (l *latencies) add(ds []time.Duration) {
	l.mu.Lock()
	l.all = append(l.all, ds...)
	l.mu.Unlock()
}

// report adds throughput and p50/p99 latency to the benchmark's output.
func (l *latencies) report(b *testing.B, elapsed time.Duration, unit string) {
	if len(l.all) == 0 {
		return
	}
	slices.Sort(l.all)
	pct := func(p float64) float64 {
		return float64(l.all[int(p*float64(len(l.all)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(l.all))/elapsed.Seconds(), unit+"/s")
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
}

var benchRun atomic.Int64

// BenchEnqueue measures Enqueue from parallel goroutines (as the webhook
// handler calls it), each delivery carrying a payloadSize body, and reports
// deliveries per second and p50/p99 latency.
func BenchEnqueue(b *testing.B, s store.Store, payloadSize int) {
	payload := Payload(payloadSize)
	prefix := fmt.Sprintf("bench-%d-%d-", benchRun.Add(1), rand.Int64())
	var next atomic.Int64
	var lat latencies
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			i := next.Add(1)
			d := store.Delivery{
				ID:             prefix + fmt.Sprint(i),
				Event:          "issues",
				Action:         "opened",
				InstallationID: 42,
				OrderKey:       fmt.Sprintf("acme/web#%d", i%500),
				Payload:        payload,
				ReceivedAt:     time.Now(),
			}
			t := time.Now()
			inserted, err := s.Enqueue(b.Context(), d)
			mine = append(mine, time.Since(t))
			if err != nil || !inserted {
				b.Errorf("Enqueue(%s) = %v, %v", d.ID, inserted, err)
				return
			}
		}
		lat.add(mine)
	})
	b.StopTimer()
	lat.report(b, time.Since(start), "deliveries")
}

// BenchClaimComplete measures a worker's round trip, Claim then Complete,
// from parallel goroutines over deliveries spread across many order keys.
// The queue is filled before the timer starts.
func BenchClaimComplete(b *testing.B, s store.Store, payloadSize int) {
	payload := Payload(payloadSize)
	prefix := fmt.Sprintf("bench-%d-%d-", benchRun.Add(1), rand.Int64())
	for i := range b.N {
		d := store.Delivery{
			ID:         prefix + fmt.Sprint(i),
			Event:      "issue_comment",
			OrderKey:   fmt.Sprintf("acme/web#%d", i%1000),
			Payload:    payload,
			ReceivedAt: time.Now(),
		}
		if _, err := s.Enqueue(b.Context(), d); err != nil {
			b.Fatal(err)
		}
	}
	var lat latencies
	var worker atomic.Int64
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		name := fmt.Sprintf("worker-%d", worker.Add(1))
		var mine []time.Duration
		for pb.Next() {
			t := time.Now()
			var d store.Delivery
			var err error
			for {
				d, err = s.Claim(b.Context(), name, time.Minute)
				if !errors.Is(err, store.ErrNoDelivery) {
					break
				}
				// The rest are behind keys other workers hold right now.
				time.Sleep(10 * time.Microsecond)
			}
			if err == nil {
				err = s.Complete(b.Context(), d.ID)
			}
			mine = append(mine, time.Since(t))
			if err != nil {
				b.Error(err)
				return
			}
		}
		lat.add(mine)
	})
	b.StopTimer()
	lat.report(b, time.Since(start), "deliveries")
}

// BenchEnqueueWhileWorking measures Enqueue as BenchEnqueue does while
// workers goroutines claim and complete deliveries as fast as they can, the
// store's worst case for acknowledgement latency: the queue's writes compete
// with the webhook handler's.
func BenchEnqueueWhileWorking(b *testing.B, s store.Store, payloadSize, workers int) {
	ctx, cancel := context.WithCancel(b.Context())
	var wg sync.WaitGroup
	var worked atomic.Int64
	for w := range workers {
		wg.Go(func() {
			name := fmt.Sprintf("worker-%d", w)
			for ctx.Err() == nil {
				d, err := s.Claim(ctx, name, time.Minute)
				if errors.Is(err, store.ErrNoDelivery) {
					time.Sleep(100 * time.Microsecond)
					continue
				}
				if err != nil {
					return
				}
				if s.Complete(ctx, d.ID) == nil {
					worked.Add(1)
				}
			}
		})
	}
	start := time.Now()
	BenchEnqueue(b, s, payloadSize)
	elapsed := time.Since(start)
	cancel()
	wg.Wait()
	b.ReportMetric(float64(worked.Load())/elapsed.Seconds(), "worked/s")
}

// BenchClaimAtDepth measures ClaimLane (up to max deliveries each) with
// depth deliveries queued over 1,000 issues, and reports the claims' p50
// and p99: a claim's cost should not grow with the backlog. Each iteration
// stores one delivery, claims, and completes what it claimed; only the
// claim is timed.
func BenchClaimAtDepth(b *testing.B, s store.Store, depth, max int) {
	ctx := b.Context()
	bulk, ok := s.(bulkEnqueuer)
	if !ok {
		b.Skip("the store cannot enqueue in bulk")
	}
	payload := Payload(2 << 10)
	prefix := fmt.Sprintf("depth-%d-%d-", benchRun.Add(1), rand.Int64())
	for from := 0; from < depth; from += 500 {
		var ds []store.Delivery
		for i := from; i < min(from+500, depth); i++ {
			ds = append(ds, store.Delivery{ID: prefix + fmt.Sprint(i), Event: "issues", InstallationID: 42,
				OrderKey: fmt.Sprintf("acme/web#%d", i%1000), Payload: payload, ReceivedAt: time.Now()})
		}
		if _, err := bulk.EnqueueAll(ctx, ds); err != nil {
			b.Fatal(err)
		}
	}
	claims := make([]time.Duration, 0, b.N)
	claimed := 0
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		d := store.Delivery{ID: fmt.Sprintf("%snew-%d", prefix, i), Event: "issues", InstallationID: 42,
			OrderKey: fmt.Sprintf("acme/api#%d", i), Payload: payload, ReceivedAt: time.Now()}
		if _, err := s.Enqueue(ctx, d); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		t := time.Now()
		batch, err := s.ClaimLane(ctx, store.ClaimOptions{Worker: "w", Lease: time.Minute, Max: max})
		claims = append(claims, time.Since(t))
		b.StopTimer()
		if err != nil {
			b.Fatal(err)
		}
		ids := make([]string, len(batch))
		for j, d := range batch {
			ids[j] = d.ID
		}
		claimed += len(ids)
		if err := s.Complete(ctx, ids...); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
	b.StopTimer()
	slices.Sort(claims)
	pct := func(p float64) float64 { return float64(claims[int(p*float64(len(claims)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(claimed)/float64(b.N), "deliveries/claim")
}
