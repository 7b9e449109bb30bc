// Package slots bounds how many workers use the CPU at once. While webhooks
// are arriving, the workers hold fewer slots than there are workers, so
// that acknowledging a webhook, which GitHub waits for, keeps a core of its
// own; a worker waiting for GitHub gives its slot up meanwhile, so a slow
// repository's workers never hold one.
package slots

import (
	"context"
	"sync"
	"time"
)

// Slots hands out slots to workers. A nil *Slots never waits.
type Slots struct {
	max, busyMax int
	busy         func() bool

	mu      sync.Mutex
	running int
	freed   chan struct{} // closed when a slot is given back
}

// New returns Slots that let all workers run at once, and whileBusy of
// them while busy reports true.
func New(all, whileBusy int, busy func() bool) *Slots {
	all = max(1, all)
	return &Slots{max: all, busyMax: max(1, min(whileBusy, all)), busy: busy, freed: make(chan struct{})}
}

// recheck is how often a waiting worker looks again whether the webhooks
// have stopped arriving; it only runs while a worker waits for a slot.
const recheck = 5 * time.Millisecond

func (s *Slots) limit() int {
	if s.busy != nil && s.busy() {
		return s.busyMax
	}
	return s.max
}

// take waits for a slot until ctx ends.
func (s *Slots) take(ctx context.Context) error {
	for {
		s.mu.Lock()
		if s.running < s.limit() {
			s.running++
			s.mu.Unlock()
			return nil
		}
		freed := s.freed
		s.mu.Unlock()
		t := time.NewTimer(recheck)
		select {
		case <-freed:
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		}
		t.Stop()
	}
}

func (s *Slots) give() {
	s.mu.Lock()
	s.running--
	close(s.freed)
	s.freed = make(chan struct{})
	s.mu.Unlock()
}

// hold is one worker's slot, carried in its context.
type hold struct {
	s    *Slots
	mu   sync.Mutex
	away int  // calls waiting for something other than the CPU
	held bool // the slot is taken
}

type holdKey struct{}

// Hold waits for a slot for the work ctx is for, and returns a context that
// carries it (see Away and Pause) and the function that gives it back.
func (s *Slots) Hold(ctx context.Context) (context.Context, func(), error) {
	if s == nil {
		return ctx, func() {}, nil
	}
	if err := s.take(ctx); err != nil {
		return ctx, nil, err
	}
	h := &hold{s: s, held: true}
	return context.WithValue(ctx, holdKey{}, h), func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.held {
			h.held = false
			s.give()
		}
	}, nil
}

// Away gives up the slot that ctx holds, if any, while a call waits for
// something other than the CPU (a GitHub request, a backoff), and returns
// the function that takes a slot again once it is back.
func Away(ctx context.Context) (back func()) {
	h, ok := ctx.Value(holdKey{}).(*hold)
	if !ok {
		return func() {}
	}
	h.mu.Lock()
	h.away++
	if h.away == 1 && h.held {
		h.held = false
		h.s.give()
	}
	h.mu.Unlock()
	return func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		h.away--
		if h.away == 0 && !h.held {
			// Waiting with the lock held keeps a second Away of the same
			// work from giving up a slot not yet taken; the work itself
			// waits here anyway. A cancelled context still takes the slot,
			// so the work can finish its bookkeeping.
			h.s.take(context.WithoutCancel(ctx))
			h.held = true
		}
	}
}

// Pause gives up the slot that ctx holds when more workers hold one than
// are allowed now (webhooks started arriving), and waits for one again.
func Pause(ctx context.Context) {
	h, ok := ctx.Value(holdKey{}).(*hold)
	if !ok {
		return
	}
	s := h.s
	s.mu.Lock()
	over := s.running > s.limit()
	s.mu.Unlock()
	if over {
		Away(ctx)()
	}
}
