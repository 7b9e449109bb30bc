package sqlite

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"testing"
)

// queueWaiter starts a writer that waits at g and reports its name on got
// once let in; it returns after the writer is queued.
func queueWaiter(t *testing.T, g *writeGate, ctx context.Context, name string, urgent bool, got chan<- string) {
	t.Helper()
	g.mu.Lock()
	before := len(g.urgent) + len(g.routine)
	g.mu.Unlock()
	go func() {
		if err := g.enter(ctx, urgent); err != nil {
			got <- name + ": " + err.Error()
			return
		}
		got <- name
	}()
	for {
		g.mu.Lock()
		n := len(g.urgent) + len(g.routine)
		g.mu.Unlock()
		if n > before {
			return
		}
		runtime.Gosched()
	}
}

func TestWriteGate(t *testing.T) {
	t.Run("acknowledgements go before worker writes, each in arrival order", func(t *testing.T) {
		var g writeGate
		must(t, g.enter(t.Context(), false)) // a worker write in progress
		got := make(chan string, 10)
		queueWaiter(t, &g, t.Context(), "claim-1", false, got)
		queueWaiter(t, &g, t.Context(), "enqueue-1", true, got)
		queueWaiter(t, &g, t.Context(), "claim-2", false, got)
		queueWaiter(t, &g, t.Context(), "enqueue-2", true, got)
		var order []string
		for range 4 {
			g.leave()
			order = append(order, <-got)
		}
		want := "[enqueue-1 enqueue-2 claim-1 claim-2]"
		if fmt.Sprint(order) != want {
			t.Errorf("order = %v, want %s", order, want)
		}
		g.leave()
		if g.busy {
			t.Error("gate still busy after the last writer left")
		}
	})

	t.Run("a flood of acknowledgements still lets a worker write through", func(t *testing.T) {
		var g writeGate
		must(t, g.enter(t.Context(), true))
		got := make(chan string, 20)
		queueWaiter(t, &g, t.Context(), "claim", false, got)
		for i := range maxUrgentRun + 2 {
			queueWaiter(t, &g, t.Context(), fmt.Sprintf("enqueue-%d", i), true, got)
		}
		for i := range maxUrgentRun + 3 {
			g.leave()
			if name := <-got; name == "claim" {
				if i != maxUrgentRun {
					t.Errorf("the worker got in after %d acknowledgements, want %d", i, maxUrgentRun)
				}
				return
			}
		}
		t.Error("the worker never got in")
	})

	t.Run("a writer that gives up leaves the queue", func(t *testing.T) {
		var g writeGate
		must(t, g.enter(t.Context(), false))
		ctx, cancel := context.WithCancel(t.Context())
		got := make(chan string, 10)
		queueWaiter(t, &g, ctx, "impatient", true, got)
		queueWaiter(t, &g, t.Context(), "patient", false, got)
		cancel()
		if name := <-got; name != "impatient: "+context.Canceled.Error() {
			t.Fatalf("got %q, want the impatient writer to give up", name)
		}
		g.leave()
		if name := <-got; name != "patient" {
			t.Errorf("got %q, want patient", name)
		}
	})

	t.Run("a writer whose context has ended does not wait", func(t *testing.T) {
		var g writeGate
		must(t, g.enter(t.Context(), false))
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := g.enter(ctx, true); !errors.Is(err, context.Canceled) {
			t.Errorf("enter with an ended context = %v, want Canceled", err)
		}
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
