// Package groupcommit gathers concurrent writes into batches that are
// committed together, so that many webhook deliveries arriving at once
// share one transaction (one WAL commit, one fsync) instead of each paying
// for its own. A caller still waits until its own write is committed.
package groupcommit

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Commit stores items together, all or none, and returns one result per item.
type Commit[T, R any] func(ctx context.Context, items []T) ([]R, error)

// Committer runs a fixed number of writers; each takes whatever requests
// are waiting (up to a limit) and commits them as one batch. While a batch
// commits, the next one gathers: there is no timer and no added latency
// when writes arrive one at a time.
type Committer[T, R any] struct {
	commit Commit[T, R]
	max    int
	reqs   chan *request[T, R]
	stop   chan struct{}
	closed sync.Once
	wg     sync.WaitGroup
}

type request[T, R any] struct {
	ctx    context.Context
	item   T
	result R
	err    error
	done   chan struct{}
}

// New starts writers goroutines committing batches of at most max items.
func New[T, R any](writers, max int, commit Commit[T, R]) *Committer[T, R] {
	c := &Committer[T, R]{commit: commit, max: max, reqs: make(chan *request[T, R]), stop: make(chan struct{})}
	for range writers {
		c.wg.Go(c.write)
	}
	return c
}

// ErrClosed is returned for a write asked after Close.
var ErrClosed = errors.New("the store is closed")

// Do commits item with whatever other items are waiting, and returns its
// result once the batch is committed. When ctx ends first it returns ctx's
// error; the item may still be committed later.
func (c *Committer[T, R]) Do(ctx context.Context, item T) (R, error) {
	r := &request[T, R]{ctx: ctx, item: item, done: make(chan struct{})}
	var zero R
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		return zero, ctx.Err()
	case <-c.stop:
		return zero, ErrClosed
	}
	select {
	case <-r.done:
		return r.result, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// Close stops the writers once the batches under way are committed. It is
// safe to call more than once.
func (c *Committer[T, R]) Close() {
	c.closed.Do(func() { close(c.stop) })
	c.wg.Wait()
}

func (c *Committer[T, R]) write() {
	for {
		var first *request[T, R]
		select {
		case first = <-c.reqs:
		case <-c.stop:
			return
		}
		batch := []*request[T, R]{first}
	gather:
		for len(batch) < c.max {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break gather
			}
		}
		c.run(batch)
	}
}

// run commits a batch, dropping requests nobody waits for any more. If the
// batch fails for a reason other than its deadline, each item is tried on
// its own, so that one bad item fails alone.
func (c *Committer[T, R]) run(batch []*request[T, R]) {
	live := batch[:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.err = err
			close(r.done)
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := c.try(live)
	if err != nil && len(live) > 1 && !errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, context.Canceled) {
		for _, r := range live {
			if err := c.try([]*request[T, R]{r}); err != nil {
				r.err = err
			}
			close(r.done)
		}
		return
	}
	for _, r := range live {
		r.err = err
		close(r.done)
	}
}

// try commits requests as one batch under the latest of their deadlines,
// and fills in their results.
func (c *Committer[T, R]) try(rs []*request[T, R]) error {
	ctx, cancel := batchContext(rs)
	defer cancel()
	items := make([]T, len(rs))
	for i, r := range rs {
		items[i] = r.item
	}
	results, err := c.commit(ctx, items)
	if err != nil {
		return err
	}
	for i, r := range rs {
		r.result = results[i]
	}
	return nil
}

// batchContext lasts as long as some request of the batch still waits: up
// to the latest deadline among them, without one if any has none.
func batchContext[T, R any](rs []*request[T, R]) (context.Context, context.CancelFunc) {
	var latest time.Time
	for _, r := range rs {
		d, ok := r.ctx.Deadline()
		if !ok {
			return context.WithCancel(context.Background())
		}
		if d.After(latest) {
			latest = d
		}
	}
	return context.WithDeadline(context.Background(), latest)
}
