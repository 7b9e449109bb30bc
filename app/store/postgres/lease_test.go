package postgres

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// cutOff is a replica's queue that loses the database when cut is set.
type cutOff struct {
	dispatch.Queue
	cut atomic.Bool
}

var errCutOff = errors.New("dial tcp 127.0.0.1:5432: connect: connection refused")

func (q *cutOff) ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error) {
	if q.cut.Load() {
		return nil, errCutOff
	}
	return q.Queue.ClaimLane(ctx, opts)
}

func (q *cutOff) Extend(ctx context.Context, worker string, until time.Time, ids ...string) error {
	if q.cut.Load() {
		return errCutOff
	}
	return q.Queue.Extend(ctx, worker, until, ids...)
}

func (q *cutOff) Release(ctx context.Context, ids ...string) error {
	if q.cut.Load() {
		return errCutOff
	}
	return q.Queue.Release(ctx, ids...)
}

func runPool(t *testing.T, q dispatch.Queue, lease time.Duration, handle func(context.Context, store.Delivery) error) *dispatch.Pool {
	t.Helper()
	p := dispatch.NewPool(dispatch.PoolOptions{Queue: q, Handle: handle, Metrics: metrics.New(prometheus.NewRegistry()),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Workers: 2, Lease: lease, Poll: 10 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { p.Run(ctx, 100*time.Millisecond); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return p
}

// A batch longer than its lease keeps it on PostgreSQL too: the other
// replica never takes it over while it runs.
func TestReplicasDoNotTakeOverABatchThatRenewsItsLease(t *testing.T) {
	t.Parallel()
	dsn := testDatabase(t)
	replicas := []*Store{openStore(t, dsn), openStore(t, dsn)}
	var mu sync.Mutex
	handled := map[string]int{}
	handle := func(ctx context.Context, d store.Delivery) error {
		mu.Lock()
		handled[d.ID]++
		mu.Unlock()
		if d.ID != "slow" {
			return nil
		}
		select {
		case <-time.After(1200 * time.Millisecond): // four leases
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	for _, id := range []string{"slow", "next"} {
		if _, err := replicas[0].Enqueue(t.Context(), store.Delivery{ID: id, Event: "issues", OrderKey: "acme/web#1"}); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range replicas {
		runPool(t, r, 300*time.Millisecond, handle).Wake()
	}
	waitDone(t, replicas[1], "slow", "next")
	mu.Lock()
	defer mu.Unlock()
	if handled["slow"] != 1 || handled["next"] != 1 {
		t.Errorf("handled %v, want each delivery once", handled)
	}
}

// A replica cut off from the database stops its batch before its lease
// ends, and another replica takes the batch over once it has.
func TestACutOffReplicasBatchIsTakenOverAfterItStopped(t *testing.T) {
	t.Parallel()
	dsn := testDatabase(t)
	const lease = 600 * time.Millisecond
	lost := &cutOff{Queue: openStore(t, dsn)}
	survivor := openStore(t, dsn)
	if _, err := survivor.Enqueue(t.Context(), store.Delivery{ID: "x", Event: "issues", OrderKey: "acme/web#1"}); err != nil {
		t.Fatal(err)
	}
	started, stopped := make(chan struct{}), make(chan time.Time, 1)
	runPool(t, lost, lease, func(ctx context.Context, d store.Delivery) error {
		close(started)
		<-ctx.Done()
		stopped <- time.Now()
		return ctx.Err()
	}).Wake()
	<-started
	lost.cut.Store(true)

	var takenOver atomic.Int64
	runPool(t, survivor, lease, func(ctx context.Context, d store.Delivery) error {
		takenOver.CompareAndSwap(0, time.Now().UnixNano())
		return nil
	}).Wake()
	waitDone(t, survivor, "x")
	stop := <-stopped
	if at := time.Unix(0, takenOver.Load()); !at.After(stop) {
		t.Errorf("the surviving replica started the batch %v before the cut-off one stopped it", stop.Sub(at))
	}
}

func waitDone(t *testing.T, s *Store, ids ...string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for _, id := range ids {
		for {
			d, _, err := s.Delivery(t.Context(), id)
			if err != nil {
				t.Fatal(err)
			}
			if d.Status == store.DeliveryDone {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("delivery %s is %q, want done", id, d.Status)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}
}
