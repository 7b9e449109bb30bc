package slots

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// waitHeld holds a slot in a goroutine and reports when it got one.
func waitHeld(t *testing.T, s *Slots) (got <-chan context.Context, release func()) {
	t.Helper()
	ch := make(chan context.Context, 1)
	done := make(chan func(), 1)
	go func() {
		ctx, rel, err := s.Hold(context.Background())
		if err != nil {
			t.Error(err)
			return
		}
		done <- rel
		ch <- ctx
	}()
	return ch, func() { (<-done)() }
}

func TestWhileBusyFewerWorkersRunAndAllOnceIdle(t *testing.T) {
	var busy atomic.Bool
	busy.Store(true)
	s := New(4, 1, busy.Load)
	_, first, err := s.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, second := waitHeld(t, s)
	select {
	case <-got:
		t.Fatal("a second worker ran while intake was busy and one slot is allowed")
	case <-time.After(50 * time.Millisecond):
	}
	busy.Store(false) // the webhooks stop: all four may run
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("the second worker still waits after intake went idle")
	}
	first()
	second()
}

func TestAWorkerWaitingForGitHubLeavesItsSlot(t *testing.T) {
	s := New(1, 1, nil)
	ctx, release, err := s.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	back := Away(ctx)  // a GitHub request
	back2 := Away(ctx) // a second one, concurrent, of the same work
	got, other := waitHeld(t, s)
	select {
	case <-got:
	case <-time.After(5 * time.Second):
		t.Fatal("another worker did not get the slot while the first waited for GitHub")
	}
	returned := make(chan struct{})
	go func() {
		back()
		back2()
		close(returned)
	}()
	select {
	case <-returned:
		t.Fatal("the worker came back from GitHub while the only slot was taken")
	case <-time.After(50 * time.Millisecond):
	}
	other()
	select {
	case <-returned:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker did not get its slot back once it was free")
	}
	release()
	if s.running != 0 {
		t.Errorf("%d slots held after every worker gave its back", s.running)
	}
}

func TestPauseYieldsOnlyWhenOverTheLimit(t *testing.T) {
	var busy atomic.Bool
	s := New(2, 1, busy.Load)
	ctxA, releaseA, _ := s.Hold(context.Background())
	_, releaseB, _ := s.Hold(context.Background())
	Pause(ctxA) // not busy: two may run, so A goes on at once
	busy.Store(true)
	paused := make(chan struct{})
	go func() {
		Pause(ctxA) // busy: one may run, two do, so A waits
		close(paused)
	}()
	select {
	case <-paused:
		t.Fatal("a worker over the limit did not pause")
	case <-time.After(50 * time.Millisecond):
	}
	releaseB()
	select {
	case <-paused:
	case <-time.After(5 * time.Second):
		t.Fatal("the paused worker did not go on once the other finished")
	}
	releaseA()
}

func TestNilSlotsNeverWait(t *testing.T) {
	var s *Slots
	ctx, release, err := s.Hold(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	Away(ctx)()
	Pause(ctx)
	release()
}
