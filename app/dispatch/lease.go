package dispatch

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// errLeaseLost is the cause of a batch's cancellation when its lease could
// not be kept: another worker may take the lane over now, so this one
// stops and hands back what it has not done.
var errLeaseLost = errors.New("the batch's lease could not be renewed")

// extender is what keeping a lease needs of the queue.
type extender interface {
	Extend(ctx context.Context, worker string, until time.Time, ids ...string) error
}

// keepLease renews the lease on ids, claimed by worker at claimed for
// lease, every third of the lease until stop is called, so a batch may run
// longer than one lease while a crashed replica's batches are taken over
// within one. The returned context is cancelled with errLeaseLost when a
// renewal is refused (the lease ended and may have been taken) or when
// renewals keep failing until a sixth of the lease is left: this worker
// stops before another could start.
func keepLease(ctx context.Context, q extender, log *slog.Logger, worker string, ids []string, claimed time.Time, lease time.Duration) (context.Context, func()) {
	lctx, cancel := context.WithCancelCause(ctx)
	margin := lease / 6
	var mu sync.Mutex
	ends := claimed.Add(lease) // the lease's end as far as this worker knows
	giveUp := time.AfterFunc(time.Until(ends.Add(-margin)), func() { cancel(errLeaseLost) })
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(lease / 3)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-lctx.Done():
				return
			case <-tick.C:
			}
			mu.Lock()
			deadline := ends.Add(-margin)
			mu.Unlock()
			rctx, rcancel := context.WithDeadline(lctx, deadline)
			at := time.Now()
			err := q.Extend(rctx, worker, at.Add(lease), ids...)
			rcancel()
			switch {
			case err == nil:
				mu.Lock()
				ends = at.Add(lease)
				giveUp.Reset(time.Until(ends.Add(-margin)))
				mu.Unlock()
			case errors.Is(err, store.ErrNotLeased):
				log.Warn("queue: a batch's lease was lost; stopping it", "first", ids[0], "err", err)
				cancel(errLeaseLost)
				return
			case lctx.Err() == nil:
				log.Warn("queue: could not renew a batch's lease; trying again", "first", ids[0], "err", err)
			}
		}
	}()
	return lctx, func() {
		// Cancelling first ends a renewal under way, which a store that
		// hangs could otherwise stretch to most of a lease.
		giveUp.Stop()
		cancel(context.Canceled)
		close(done)
		<-stopped
	}
}
