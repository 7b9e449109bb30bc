package dispatch_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/slots"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
)

var errPermanent = errors.New("permanent")

type fixture struct {
	store   *sqlite.Store
	metrics *metrics.Metrics
	pool    *dispatch.Pool
	cancel  context.CancelFunc
	done    chan struct{}
}

func start(t *testing.T, handle func(ctx context.Context, d store.Delivery) error) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, metrics: metrics.New(prometheus.NewRegistry()), done: make(chan struct{})}
	f.pool = dispatch.NewPool(dispatch.PoolOptions{
		Queue: st, Handle: handle, Metrics: f.metrics, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Workers: 4, MaxAttempts: 3, RetryBase: 5 * time.Millisecond, Poll: 5 * time.Millisecond,
		Classify: func(err error) (bool, time.Time) { return errors.Is(err, errPermanent), time.Time{} },
	})
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.pool.Run(ctx, time.Second); close(f.done) }()
	t.Cleanup(func() { f.stop(); st.Close() })
	return f
}

func (f *fixture) stop() {
	f.cancel()
	<-f.done
}

func (f *fixture) enqueue(t *testing.T, id, key string) {
	t.Helper()
	if _, err := f.store.Enqueue(context.Background(), store.Delivery{ID: id, Event: "issues", OrderKey: key, Payload: []byte("{}"), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.pool.Wake()
}

func (f *fixture) waitStatus(t *testing.T, id, status string) store.Delivery {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		d, _, err := f.store.Delivery(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		if d.Status == status {
			return d
		}
		if time.Now().After(deadline) {
			t.Fatalf("delivery %s is %q, want %q", id, d.Status, status)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestPassingFailureIsRetriedUntilDone(t *testing.T) {
	var calls atomic.Int32
	f := start(t, func(ctx context.Context, d store.Delivery) error {
		if calls.Add(1) < 3 {
			return errors.New("502 from GitHub")
		}
		return nil
	})
	f.enqueue(t, "d1", "acme/web#1")
	f.waitStatus(t, "d1", store.DeliveryDone)
	if got := testutil.ToFloat64(f.metrics.DeliveriesProcessed.WithLabelValues("issues", "retried")); got != 2 {
		t.Fatalf("retries counted %v, want 2", got)
	}
}

func TestDeliveryThatKeepsFailingIsKeptAsFailed(t *testing.T) {
	f := start(t, func(ctx context.Context, d store.Delivery) error { return errors.New("GitHub is down") })
	f.enqueue(t, "d1", "acme/web#1")
	d := f.waitStatus(t, "d1", store.DeliveryFailed)
	if d.LastError != "GitHub is down" {
		t.Fatalf("last error %q", d.LastError)
	}
	if got := testutil.ToFloat64(f.metrics.DeliveriesFailed.WithLabelValues("issues")); got != 1 {
		t.Fatalf("failed deliveries counted %v, want 1", got)
	}
}

func TestPermanentErrorFailsAtOnce(t *testing.T) {
	var calls atomic.Int32
	f := start(t, func(ctx context.Context, d store.Delivery) error {
		calls.Add(1)
		return errPermanent
	})
	f.enqueue(t, "d1", "")
	f.waitStatus(t, "d1", store.DeliveryFailed)
	if calls.Load() != 1 {
		t.Fatalf("a permanent error was tried %d times", calls.Load())
	}
}

func TestOneIssueAtATimeInOrderOthersInParallel(t *testing.T) {
	var mu sync.Mutex
	order := map[string][]string{}
	running := map[string]int{}
	overlap := false
	var parallel atomic.Int32
	var peak atomic.Int32
	f := start(t, func(ctx context.Context, d store.Delivery) error {
		mu.Lock()
		running[d.OrderKey]++
		overlap = overlap || running[d.OrderKey] > 1
		order[d.OrderKey] = append(order[d.OrderKey], d.ID)
		mu.Unlock()
		n := parallel.Add(1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		time.Sleep(5 * time.Millisecond)
		parallel.Add(-1)
		mu.Lock()
		running[d.OrderKey]--
		mu.Unlock()
		return nil
	})
	keys := []string{"acme/web#1", "acme/web#2", "acme/api#1"}
	var want = map[string][]string{}
	for i := range 10 {
		for _, k := range keys {
			id := k + "/" + string(rune('a'+i))
			want[k] = append(want[k], id)
			f.enqueue(t, id, k)
		}
	}
	for _, k := range keys {
		f.waitStatus(t, want[k][len(want[k])-1], store.DeliveryDone)
	}
	mu.Lock()
	defer mu.Unlock()
	if overlap {
		t.Fatal("two deliveries of one issue ran at the same time")
	}
	for _, k := range keys {
		if len(order[k]) != 10 {
			t.Fatalf("%s ran %d deliveries, want 10", k, len(order[k]))
		}
		for i := range order[k] {
			if order[k][i] != want[k][i] {
				t.Fatalf("%s ran in order %v, want %v", k, order[k], want[k])
			}
		}
	}
	if peak.Load() < 2 {
		t.Fatal("deliveries of different issues never ran in parallel")
	}
}

func TestShutdownLetsInFlightWorkFinish(t *testing.T) {
	started := make(chan struct{})
	f := start(t, func(ctx context.Context, d store.Delivery) error {
		close(started)
		select {
		case <-time.After(50 * time.Millisecond):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	f.enqueue(t, "d1", "")
	<-started
	f.stop()
	d, _, _ := f.store.Delivery(context.Background(), "d1")
	if d.Status != store.DeliveryDone {
		t.Fatalf("in-flight delivery after shutdown is %q, want done", d.Status)
	}
}

func TestPanickingHandlerFailsTheDeliveryAndKeepsWorking(t *testing.T) {
	f := start(t, func(ctx context.Context, d store.Delivery) error {
		if d.ID == "bad" {
			var m map[string]int
			//lint:ignore SA5000 the handler panics on purpose
			m["boom"]++ // a nil map write: a bug in a handler
		}
		return nil
	})
	f.enqueue(t, "bad", "acme/web#1")
	f.enqueue(t, "good", "acme/web#1")
	f.waitStatus(t, "bad", store.DeliveryFailed)
	f.waitStatus(t, "good", store.DeliveryDone)
}

// startPaused opens a queue, lets fill enqueue into it, then starts a pool
// with batches of batch deliveries, so that the first claims find the whole
// backlog queued.
func startPaused(t *testing.T, batch int, fill func(f *fixture), handle func(ctx context.Context, d store.Delivery) error) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, metrics: metrics.New(prometheus.NewRegistry()), done: make(chan struct{})}
	f.pool = dispatch.NewPool(dispatch.PoolOptions{
		Queue: st, Handle: handle, Metrics: f.metrics, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Workers: 4, Batch: batch, MaxAttempts: 5, RetryBase: 5 * time.Millisecond, Poll: 5 * time.Millisecond,
		Classify: func(err error) (bool, time.Time) { return errors.Is(err, errPermanent), time.Time{} },
	})
	fill(f)
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.pool.Run(ctx, time.Second); close(f.done) }()
	t.Cleanup(func() { f.stop(); st.Close() })
	return f
}

func TestABurstOnOneIssueRunsInOrderWithOneDeferredWritePerBatch(t *testing.T) {
	const n, batch = 50, 16
	var mu sync.Mutex
	var handled []string
	var writes []int // how many deliveries were handled when each write ran
	f := startPaused(t, batch, func(f *fixture) {
		for i := range n {
			f.enqueue(t, fmt.Sprintf("d%02d", i), "acme/web#1")
		}
	}, func(ctx context.Context, d store.Delivery) error {
		mu.Lock()
		handled = append(handled, d.ID)
		mu.Unlock()
		return dispatch.Defer(ctx, "comment acme/web#1", func(ctx context.Context) error {
			mu.Lock()
			writes = append(writes, len(handled))
			mu.Unlock()
			return nil
		})
	})
	f.waitStatus(t, fmt.Sprintf("d%02d", n-1), store.DeliveryDone)
	mu.Lock()
	defer mu.Unlock()
	for i, id := range handled {
		if want := fmt.Sprintf("d%02d", i); id != want {
			t.Fatalf("handled %v, want d00 to d%02d once each, in order", handled, n-1)
		}
	}
	if len(handled) != n {
		t.Fatalf("handled %d deliveries, want %d", len(handled), n)
	}
	if len(writes) > (n+batch-1)/batch || writes[len(writes)-1] != n {
		t.Errorf("deferred writes ran after %v deliveries; want one per batch of up to %d, the last after all %d", writes, batch, n)
	}
}

func TestAFailureMidBatchCompletesWhatCameBeforeAndHandsBackTheRest(t *testing.T) {
	var mu sync.Mutex
	var handled []string
	failed := false
	f := startPaused(t, 8, func(f *fixture) {
		for _, id := range []string{"a", "b", "c", "d"} {
			f.enqueue(t, id, "acme/web#1")
		}
	}, func(ctx context.Context, d store.Delivery) error {
		mu.Lock()
		defer mu.Unlock()
		handled = append(handled, d.ID)
		if d.ID == "c" && !failed {
			failed = true
			return errors.New("GitHub answered 502")
		}
		return nil
	})
	f.waitStatus(t, "d", store.DeliveryDone)
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"a", "b", "c", "c", "d"}; !slices.Equal(handled, want) {
		t.Fatalf("handled %v, want %v: what was done is not redone", handled, want)
	}
	for id, attempts := range map[string]int{"a": 0, "b": 0, "c": 1, "d": 0} {
		if got := f.waitStatus(t, id, store.DeliveryDone).Attempts; got != attempts {
			t.Errorf("%s spent %d attempts, want %d", id, got, attempts)
		}
	}
}

func TestAFailedDeferredWriteRedoesTheDeliveryThatAskedForIt(t *testing.T) {
	var mu sync.Mutex
	var handled []string
	writeFailed := false
	f := startPaused(t, 8, func(f *fixture) {
		f.enqueue(t, "a", "acme/web#1")
		f.enqueue(t, "b", "acme/web#1")
	}, func(ctx context.Context, d store.Delivery) error {
		mu.Lock()
		handled = append(handled, d.ID)
		mu.Unlock()
		if d.ID != "a" {
			return nil // b changes nothing the comment shows
		}
		return dispatch.Defer(ctx, "comment", func(ctx context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			if !writeFailed {
				writeFailed = true
				return errors.New("GitHub answered 502")
			}
			return nil
		})
	})
	f.waitStatus(t, "b", store.DeliveryDone)
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"a", "b", "a", "b"}; !slices.Equal(handled, want) {
		t.Fatalf("handled %v, want %v", handled, want)
	}
	if a := f.waitStatus(t, "a", store.DeliveryDone); a.Attempts != 1 {
		t.Errorf("a spent %d attempts, want 1 for its failed write", a.Attempts)
	}
	if b := f.waitStatus(t, "b", store.DeliveryDone); b.Attempts != 0 {
		t.Errorf("b spent %d attempts, want none: it did not fail", b.Attempts)
	}
}

func TestShutdownHandsLeasesBackWithoutSpendingAnAttempt(t *testing.T) {
	started := make(chan struct{})
	f := startPaused(t, 8, func(f *fixture) {
		f.enqueue(t, "slow", "acme/web#1")
		f.enqueue(t, "next", "acme/web#1")
	}, func(ctx context.Context, d store.Delivery) error {
		close(started)
		<-ctx.Done() // longer than the shutdown grace
		return ctx.Err()
	})
	<-started
	f.stop()
	for _, id := range []string{"slow", "next"} {
		d, _, err := f.store.Delivery(context.Background(), id)
		if err != nil || d.Status != store.DeliveryPending || d.Attempts != 0 || d.LastError != "" {
			t.Errorf("%s after shutdown: %s, %d attempts, error %q (%v); want pending with no attempt spent",
				id, d.Status, d.Attempts, d.LastError, err)
		}
	}
	if d, err := f.store.Claim(context.Background(), "next-start", time.Minute); err != nil || d.ID != "slow" {
		t.Errorf("first claim after shutdown = %q, %v; want slow, at once", d.ID, err)
	}
}

// startWith starts a pool over a fresh queue with the given options filled
// in around the test's handler.
func startWith(t *testing.T, opts dispatch.PoolOptions, fill func(f *fixture)) *fixture {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{store: st, metrics: metrics.New(prometheus.NewRegistry()), done: make(chan struct{})}
	opts.Queue, opts.Metrics, opts.Log = st, f.metrics, slog.New(slog.NewTextHandler(io.Discard, nil))
	f.pool = dispatch.NewPool(opts)
	fill(f)
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.pool.Run(ctx, time.Second); close(f.done) }()
	t.Cleanup(func() { f.stop(); st.Close() })
	return f
}

func (f *fixture) enqueueFor(t *testing.T, installation int64, id, key string) {
	t.Helper()
	if _, err := f.store.Enqueue(context.Background(), store.Delivery{ID: id, Event: "issues", InstallationID: installation,
		OrderKey: key, Payload: []byte("{}"), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	f.pool.Wake()
}

func TestASlowRepositoryHoldsAtMostItsShareOfTheWorkers(t *testing.T) {
	release := make(chan struct{})
	var slowNow, slowPeak atomic.Int32
	f := startWith(t, dispatch.PoolOptions{Workers: 4, Handle: func(ctx context.Context, d store.Delivery) error {
		if d.Repo() != "acme/slow" {
			return nil
		}
		n := slowNow.Add(1)
		for p := slowPeak.Load(); n > p && !slowPeak.CompareAndSwap(p, n); p = slowPeak.Load() {
		}
		defer slowNow.Add(-1)
		select {
		case <-release:
		case <-ctx.Done():
		}
		return ctx.Err()
	}}, func(f *fixture) {
		for i := range 10 {
			f.enqueueFor(t, 42, fmt.Sprintf("slow-%d", i), fmt.Sprintf("acme/slow#%d", i))
		}
		for i := range 20 {
			f.enqueueFor(t, 42, fmt.Sprintf("fast-%d", i), fmt.Sprintf("acme/web#%d", i))
		}
	})
	for i := range 20 {
		f.waitStatus(t, fmt.Sprintf("fast-%d", i), store.DeliveryDone)
	}
	if peak := slowPeak.Load(); peak != 2 {
		t.Errorf("the slow repository held %d of 4 workers at once, want its share of 2", peak)
	}
	close(release)
	for i := range 10 {
		f.waitStatus(t, fmt.Sprintf("slow-%d", i), store.DeliveryDone)
	}
}

func TestARepositoryFailingInEveryIssueIsPausedWithoutSpendingAttempts(t *testing.T) {
	var tried sync.Map
	f := startWith(t, dispatch.PoolOptions{Workers: 4, RetryBase: time.Hour, Handle: func(ctx context.Context, d store.Delivery) error {
		if d.Repo() == "acme/down" {
			tried.Store(d.ID, true)
			return errors.New("GitHub answered 502")
		}
		return nil
	}}, func(f *fixture) {
		for i := range 20 {
			f.enqueueFor(t, 42, fmt.Sprintf("down-%d", i), fmt.Sprintf("acme/down#%d", i))
		}
	})
	// Healthy work sent afterwards still runs.
	for i := range 10 {
		f.enqueueFor(t, 42, fmt.Sprintf("up-%d", i), fmt.Sprintf("acme/web#%d", i))
	}
	for i := range 10 {
		f.waitStatus(t, fmt.Sprintf("up-%d", i), store.DeliveryDone)
	}
	time.Sleep(50 * time.Millisecond) // would be time enough to try the rest
	n, untouched := 0, 0
	tried.Range(func(any, any) bool { n++; return true })
	for i := range 20 {
		if d := f.waitStatus(t, fmt.Sprintf("down-%d", i), store.DeliveryPending); d.Attempts == 0 {
			untouched++
		}
	}
	// Three issues failing in a row pause the repository; a fourth may have
	// been under way (two of the four workers are its share).
	if n < 3 || n > 4 || untouched != 20-n {
		t.Errorf("%d of the failing repository's 20 issues were tried (%d untouched), want 3 or 4 and the rest left waiting", n, untouched)
	}
}

func TestARateLimitedInstallationWaitsAndOthersDoNot(t *testing.T) {
	errLimited := errors.New("rate limited")
	var limited atomic.Int32
	f := startWith(t, dispatch.PoolOptions{Workers: 4, Handle: func(ctx context.Context, d store.Delivery) error {
		if d.InstallationID == 7 {
			limited.Add(1)
			return errLimited
		}
		return nil
	}, Classify: func(err error) (bool, time.Time) {
		if errors.Is(err, errLimited) {
			return false, time.Now().Add(time.Hour) // GitHub's reset, an hour away
		}
		return false, time.Time{}
	}}, func(f *fixture) {
		for i := range 10 {
			f.enqueueFor(t, 7, fmt.Sprintf("limited-%d", i), fmt.Sprintf("umbrella/api#%d", i))
		}
		for i := range 10 {
			f.enqueueFor(t, 42, fmt.Sprintf("free-%d", i), fmt.Sprintf("acme/web#%d", i))
		}
	})
	for i := range 10 {
		f.waitStatus(t, fmt.Sprintf("free-%d", i), store.DeliveryDone)
	}
	time.Sleep(50 * time.Millisecond)
	// Its share is three of four workers: at most that many batches were
	// under way when the first answer said to wait.
	if n := limited.Load(); n < 1 || n > 3 {
		t.Errorf("the rate-limited installation's deliveries were tried %d times, want 1 to 3, then none until the reset", n)
	}
}

// countingQueue counts the pool's looks at the queue.
type countingQueue struct {
	dispatch.Queue
	claims, nextReady atomic.Int32
}

func (q *countingQueue) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	q.claims.Add(1)
	return q.Queue.ClaimLane(ctx, opts)
}

func (q *countingQueue) NextReady(ctx context.Context, opts store.ClaimOptions) (time.Time, bool, error) {
	q.nextReady.Add(1)
	return q.Queue.NextReady(ctx, opts)
}

func TestAnIdlePoolDoesNotPollTheStore(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := &countingQueue{Queue: st}
	pool := dispatch.NewPool(dispatch.PoolOptions{Queue: q, Metrics: metrics.New(prometheus.NewRegistry()),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: 4, RetryBase: time.Hour,
		Handle: func(ctx context.Context, d store.Delivery) error {
			if d.Repo() == "acme/down" {
				return errors.New("GitHub answered 502")
			}
			return nil
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { pool.Run(ctx, time.Second); close(done) }()
	defer func() { cancel(); <-done }()

	quiet := func(what string) {
		t.Helper()
		time.Sleep(100 * time.Millisecond) // let the pool settle
		before := q.claims.Load() + q.nextReady.Load()
		time.Sleep(500 * time.Millisecond)
		if looks := q.claims.Load() + q.nextReady.Load() - before; looks > 0 {
			t.Errorf("%s, the pool looked at the queue %d times in half a second, want none", what, looks)
		}
	}
	quiet("empty")

	// Every issue of a repository fails, as in a GitHub outage: its lanes
	// wait for their retries and the repository is paused, all for an hour.
	for i := range 50 {
		if _, err := st.Enqueue(context.Background(), store.Delivery{ID: fmt.Sprintf("down-%d", i), Event: "issues",
			OrderKey: fmt.Sprintf("acme/down#%d", i), Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		pool.Stored(fmt.Sprintf("acme/down#%d", i))
	}
	quiet("with 50 deliveries waiting for GitHub")

	// A delivery stored wakes it at once.
	if _, err := st.Enqueue(context.Background(), store.Delivery{ID: "up", Event: "issues", OrderKey: "acme/web#1", Payload: []byte("{}")}); err != nil {
		t.Fatal(err)
	}
	pool.Stored("acme/web#1")
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if d, _, _ := st.Delivery(context.Background(), "up"); d.Status == store.DeliveryDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("a delivery stored while the pool was idle was not handled; the pool polls every 10s only")
		}
	}
}

func TestABurstOnABusyIssueCostsNoClaims(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	q := &countingQueue{Queue: st}
	release := make(chan struct{})
	started := make(chan struct{}, 1)
	pool := dispatch.NewPool(dispatch.PoolOptions{Queue: q, Metrics: metrics.New(prometheus.NewRegistry()),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: 4, Batch: 500,
		Handle: func(ctx context.Context, d store.Delivery) error {
			if d.ID == "first" {
				started <- struct{}{}
				<-release
			}
			return nil
		}})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { pool.Run(ctx, time.Second); close(done) }()
	defer func() { cancel(); <-done }()
	enqueue := func(id string) {
		if _, err := st.Enqueue(context.Background(), store.Delivery{ID: id, Event: "issues", OrderKey: "acme/web#1", Payload: []byte("{}")}); err != nil {
			t.Fatal(err)
		}
		pool.Stored("acme/web#1")
	}
	enqueue("first")
	<-started
	time.Sleep(100 * time.Millisecond) // the scheduler's own look after its claim
	before := q.claims.Load()
	for i := range 200 {
		enqueue(fmt.Sprintf("burst-%d", i))
	}
	if looks := q.claims.Load() - before; looks > 0 {
		t.Errorf("200 deliveries to an issue a worker holds caused %d claims, want none", looks)
	}
	close(release)
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if d, _, _ := st.Delivery(context.Background(), "burst-199"); d.Status == store.DeliveryDone {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the burst was not handled once the issue was free")
		}
	}
}

func TestDeferredWorkOfABatchIsMergedInOrder(t *testing.T) {
	type nudge struct {
		text string
		hold bool
	}
	ran := make(chan nudge, 4)
	f := startPaused(t, 8, func(f *fixture) {
		f.enqueue(t, "wants-a-comment", "acme/web#1")
		f.enqueue(t, "holds-it", "acme/web#1")
	}, func(ctx context.Context, d store.Delivery) error {
		n := nudge{text: d.ID, hold: d.ID == "holds-it"}
		return dispatch.DeferValue(ctx, "comment", n, func(earlier, later nudge) nudge {
			later.hold = later.hold && earlier.hold
			return later
		}, func(ctx context.Context, n nudge) error {
			ran <- n
			return nil
		})
	})
	f.waitStatus(t, "holds-it", store.DeliveryDone)
	if got := <-ran; got != (nudge{text: "holds-it", hold: false}) || len(ran) != 0 {
		t.Errorf("deferred work ran with %+v (and %d more), want once, with the later text and the earlier's leave to create", got, len(ran))
	}
}

func TestOnceIsAskedOncePerBatchAndAgainForTheNext(t *testing.T) {
	const n, batch = 40, 16
	var asked, handled atomic.Int64
	f := startPaused(t, batch, func(f *fixture) {
		for i := range n {
			f.enqueue(t, fmt.Sprintf("d%02d", i), "acme/web#1")
		}
	}, func(ctx context.Context, d store.Delivery) error {
		handled.Add(1)
		off, err := dispatch.Once(ctx, "suspended:42", func() (bool, error) {
			asked.Add(1)
			return false, nil
		})
		if err != nil || off {
			t.Errorf("Once = %v, %v", off, err)
		}
		return nil
	})
	f.waitStatus(t, fmt.Sprintf("d%02d", n-1), store.DeliveryDone)
	if got, most := asked.Load(), int64((n+batch-1)/batch); got < 1 || got > most {
		t.Errorf("asked %d times for %d deliveries; want once per batch of up to %d, at most %d", got, handled.Load(), batch, most)
	}
	// Outside a batch it is asked each time.
	calls := 0
	for range 2 {
		dispatch.Once(context.Background(), "k", func() (int, error) { calls++; return calls, nil })
	}
	if calls != 2 {
		t.Errorf("outside a batch Once asked %d times in two calls, want 2", calls)
	}
}

// runs counts how often each delivery was handled, across pools.
type runs struct {
	mu sync.Mutex
	n  map[string]int
}

func (r *runs) add(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int{}
	}
	r.n[id]++
}

func (r *runs) onceEach(ids ...string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.n) == len(ids) && !slices.ContainsFunc(ids, func(id string) bool { return r.n[id] != 1 })
}

func (r *runs) String() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprint(r.n)
}

// openQueue opens a fresh SQLite queue holding deliveries (id, then order
// key, in pairs).
func openQueue(t *testing.T, deliveries ...string) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := 0; i+1 < len(deliveries); i += 2 {
		d := store.Delivery{ID: deliveries[i], Event: "issues", OrderKey: deliveries[i+1], Payload: []byte("{}")}
		if _, err := st.Enqueue(context.Background(), d); err != nil {
			t.Fatal(err)
		}
	}
	return st
}

// runPools runs a pool per options, as replicas sharing one queue, until
// the test ends.
func runPools(t *testing.T, opts ...dispatch.PoolOptions) []*dispatch.Pool {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	t.Cleanup(func() { cancel(); wg.Wait() })
	var pools []*dispatch.Pool
	for _, o := range opts {
		if o.Metrics == nil {
			o.Metrics = metrics.New(prometheus.NewRegistry())
		}
		if o.Log == nil {
			o.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
		}
		p := dispatch.NewPool(o)
		pools = append(pools, p)
		wg.Go(func() { p.Run(ctx, time.Second) })
		p.Wake()
	}
	return pools
}

func TestABatchLongerThanItsLeaseKeepsItAndRunsOnce(t *testing.T) {
	st := openQueue(t, "slow", "acme/web#1", "next", "acme/web#1")
	var handled runs
	var cancelled atomic.Bool
	opts := dispatch.PoolOptions{Queue: st, Workers: 2, Lease: 200 * time.Millisecond, Poll: 5 * time.Millisecond,
		Handle: func(ctx context.Context, d store.Delivery) error {
			handled.add(d.ID)
			if d.ID == "slow" {
				select {
				case <-time.After(800 * time.Millisecond): // four leases
				case <-ctx.Done():
					cancelled.Store(true)
					return ctx.Err()
				}
			}
			return nil
		}}
	// Two pools on one queue, as two replicas: the idle one would take the
	// slow batch over if its lease ran out.
	runPools(t, opts, opts)
	f := &fixture{store: st}
	f.waitStatus(t, "next", store.DeliveryDone)
	if d := f.waitStatus(t, "slow", store.DeliveryDone); d.Attempts != 0 {
		t.Errorf("slow took %d attempts, want none spent", d.Attempts)
	}
	if !handled.onceEach("slow", "next") || cancelled.Load() {
		t.Errorf("handled %v (slow cancelled: %v), want each once and slow never cancelled: its lease is renewed while it runs",
			&handled, cancelled.Load())
	}
}

// extendFailing refuses the first batch's lease renewals with err.
type extendFailing struct {
	dispatch.Queue
	err     error
	claimed chan time.Time
	failed  atomic.Bool
}

func (q *extendFailing) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	at := time.Now()
	batch, err := q.Queue.ClaimLane(ctx, opts)
	if err == nil {
		select {
		case q.claimed <- at:
		default:
		}
	}
	return batch, err
}

func (q *extendFailing) Extend(ctx context.Context, worker string, until time.Time, ids ...string) error {
	if slices.Contains(ids, "slow") && !q.failed.Load() {
		return q.err
	}
	return q.Queue.Extend(ctx, worker, until, ids...)
}

func TestABatchThatCannotKeepItsLeaseStopsInTimeAndHandsItsWorkBack(t *testing.T) {
	for name, refusal := range map[string]error{
		"renewal refused: the lease was taken": fmt.Errorf("extending: %w", store.ErrNotLeased),
		"renewals keep failing":                errors.New("the store does not answer"),
	} {
		t.Run(name, func(t *testing.T) {
			const lease = 1200 * time.Millisecond
			st := openQueue(t, "slow", "acme/web#1")
			q := &extendFailing{Queue: st, err: refusal, claimed: make(chan time.Time, 1)}
			stopped := make(chan time.Time, 1)
			var runs atomic.Int32
			m := metrics.New(prometheus.NewRegistry())
			runPools(t, dispatch.PoolOptions{Queue: q, Metrics: m, Workers: 1, Lease: lease, Poll: 5 * time.Millisecond,
				Handle: func(ctx context.Context, d store.Delivery) error {
					if runs.Add(1) > 1 {
						return nil
					}
					<-ctx.Done()
					stopped <- time.Now()
					q.failed.Store(true)
					return ctx.Err()
				}})
			claimed := <-q.claimed
			select {
			case at := <-stopped:
				if at.After(claimed.Add(lease)) {
					t.Errorf("the handler stopped %v after the claim, after its lease of %v had ended", at.Sub(claimed), lease)
				}
			case <-time.After(10 * time.Second):
				t.Fatal("the handler was not stopped when its lease could not be kept")
			}
			f := &fixture{store: st}
			if d := f.waitStatus(t, "slow", store.DeliveryDone); d.Attempts != 0 || runs.Load() != 2 {
				t.Errorf("slow: %d attempts, %d runs; want it handed back with no attempt spent and run again", d.Attempts, runs.Load())
			}
			if n := testutil.ToFloat64(m.LeasesLost); n != 1 {
				t.Errorf("queue_leases_lost_total = %v, want 1", n)
			}
		})
	}
}

func TestABatchWaitingForASlotKeepsItsLease(t *testing.T) {
	st := openQueue(t, "busy", "acme/web#1", "waiting", "acme/api#2")
	var handled runs
	opts := dispatch.PoolOptions{Queue: st, Workers: 4, Lease: 300 * time.Millisecond, Poll: 5 * time.Millisecond,
		Handle: func(ctx context.Context, d store.Delivery) error {
			handled.add(d.ID)
			if d.ID == "busy" {
				time.Sleep(900 * time.Millisecond) // holds the only slot for three leases
			}
			return nil
		}}
	// The first replica runs one batch at a time, as while webhooks arrive;
	// the second would take over a batch whose lease ran out meanwhile.
	first := opts
	first.Slots = slots.New(4, 1, func() bool { return true })
	runPools(t, first)
	f := &fixture{store: st}
	f.waitStatus(t, "busy", store.DeliveryLeased)
	f.waitStatus(t, "waiting", store.DeliveryLeased) // claimed by the first replica, waiting for its slot
	runPools(t, opts)
	f.waitStatus(t, "busy", store.DeliveryDone)
	f.waitStatus(t, "waiting", store.DeliveryDone)
	if !handled.onceEach("busy", "waiting") {
		t.Errorf("handled %v, want each once: a batch waiting for a slot keeps renewing its lease", &handled)
	}
}

// sizedQueue records the size of each batch claimed.
type sizedQueue struct {
	dispatch.Queue
	mu    sync.Mutex
	sizes []int
}

func (q *sizedQueue) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	batch, err := q.Queue.ClaimLane(ctx, opts)
	if err == nil {
		q.mu.Lock()
		q.sizes = append(q.sizes, len(batch))
		q.mu.Unlock()
	}
	return batch, err
}

func (q *sizedQueue) claimed() []int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.sizes)
}

func TestABurstOnOneIssueWhileWebhooksArriveIsTakenAsOneBatch(t *testing.T) {
	const gather = 300 * time.Millisecond
	st := openQueue(t)
	q := &sizedQueue{Queue: st}
	handled := make(chan string, 100)
	pool := runPools(t, dispatch.PoolOptions{Queue: q, Workers: 4, Gather: gather,
		Busy:   func() bool { return true },
		Handle: func(ctx context.Context, d store.Delivery) error { handled <- d.ID; return nil }})[0]
	stored := func(id, key string) {
		t.Helper()
		if _, err := st.Enqueue(context.Background(), store.Delivery{ID: id, Event: "issues", OrderKey: key, Payload: []byte("{}"), ReceivedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
		pool.Stored(key)
	}
	waitHandled := func(n int) {
		t.Helper()
		for range n {
			select {
			case <-handled:
			case <-time.After(10 * time.Second):
				t.Fatal("deliveries were not handled")
			}
		}
	}
	// Webhooks have been arriving two to an issue...
	stored("earlier-1", "acme/web#1")
	stored("earlier-2", "acme/web#1")
	waitHandled(2)
	time.Sleep(4*gather + 50*time.Millisecond) // ...for as long as the pool counts over
	before := len(q.claimed())

	// ...so the next burst, stored one delivery at a time and each one
	// announced, is taken whole.
	for i := range 10 {
		stored(fmt.Sprintf("burst-%d", i), "acme/web#2")
	}
	waitHandled(10)
	if got := q.claimed()[before:]; !slices.Equal(got, []int{10}) {
		t.Errorf("a burst of 10 deliveries on one issue was claimed in batches of %v, want one of 10", got)
	}
}
