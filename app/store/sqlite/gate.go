package sqlite

import (
	"context"
	"slices"
	"sync"
)

// writeGate hands the single write connection to one writer at a time, first
// to urgent writers (Enqueue, which a webhook acknowledgement waits for), then
// to the rest (the workers' bookkeeping), each class in arrival order.
//
// database/sql would queue writers on its own, but it wakes a random waiter,
// and under load an acknowledgement could wait behind many worker writes;
// with the gate it waits for the write in progress and, at worst, one
// routine write per maxUrgentRun urgent ones: that share keeps the workers
// moving during a flood of webhooks, so the queue drains as it fills.
type writeGate struct {
	mu        sync.Mutex
	busy      bool
	urgent    []chan struct{}
	routine   []chan struct{}
	urgentRun int // urgent writers let in since the last routine one
}

// maxUrgentRun is how many urgent writers may go ahead of a waiting routine
// writer.
const maxUrgentRun = 8

// enter waits for the write connection. It returns ctx's error, without the
// connection, if ctx ends first.
func (g *writeGate) enter(ctx context.Context, urgent bool) error {
	g.mu.Lock()
	if !g.busy {
		g.busy = true
		g.mu.Unlock()
		return nil
	}
	ch := make(chan struct{})
	if urgent {
		g.urgent = append(g.urgent, ch)
	} else {
		g.routine = append(g.routine, ch)
	}
	g.mu.Unlock()

	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		g.mu.Lock()
		waiting := false
		if i := slices.Index(g.urgent, ch); i >= 0 {
			g.urgent, waiting = slices.Delete(g.urgent, i, i+1), true
		} else if i := slices.Index(g.routine, ch); i >= 0 {
			g.routine, waiting = slices.Delete(g.routine, i, i+1), true
		}
		g.mu.Unlock()
		if !waiting {
			// Handed the connection just as ctx ended: pass it on.
			g.leave()
		}
		return ctx.Err()
	}
}

// leave hands the write connection to the next writer, if any.
func (g *writeGate) leave() {
	g.mu.Lock()
	defer g.mu.Unlock()
	var next chan struct{}
	switch {
	case len(g.urgent) > 0 && (g.urgentRun < maxUrgentRun || len(g.routine) == 0):
		next, g.urgent = g.urgent[0], g.urgent[1:]
		g.urgentRun++
	case len(g.routine) > 0:
		next, g.routine = g.routine[0], g.routine[1:]
		g.urgentRun = 0
	default:
		g.busy = false
		return
	}
	close(next)
}
