package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// claimLane claims a batch and returns its ids, nil for ErrNoDelivery.
func claimLane(t *testing.T, s store.Store, opts store.ClaimOptions) []string {
	t.Helper()
	if opts.Worker == "" {
		opts.Worker = "worker-1"
	}
	if opts.Lease == 0 {
		opts.Lease = time.Hour
	}
	batch, err := s.ClaimLane(ctx(t), opts)
	if errors.Is(err, store.ErrNoDelivery) {
		return nil
	}
	if err != nil {
		t.Fatalf("ClaimLane: %v", err)
	}
	ids := make([]string, len(batch))
	for i, d := range batch {
		if d.Status != store.DeliveryLeased {
			t.Errorf("ClaimLane returned %s as %q, want leased", d.ID, d.Status)
		}
		ids[i] = d.ID
	}
	return ids
}

func ids(prefix string, from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("%s%05d", prefix, i))
	}
	return out
}

// bulkEnqueuer is implemented by stores that store many deliveries in one
// transaction, in order: what their group commit does with concurrent
// Enqueue calls.
type bulkEnqueuer interface {
	EnqueueAll(ctx context.Context, ds []store.Delivery) ([]bool, error)
}

// enqueueMany enqueues deliveries of one key in the order given, in bulk
// where the store can.
func enqueueMany(t *testing.T, s store.Store, key string, ids []string) {
	t.Helper()
	bulk, ok := s.(bulkEnqueuer)
	if !ok {
		for i, id := range ids {
			mustEnqueue(t, s, delivery(id, key, t0.Add(time.Duration(i)*time.Millisecond)))
		}
		return
	}
	for from := 0; from < len(ids); from += 500 {
		var ds []store.Delivery
		for i, id := range ids[from:min(from+500, len(ids))] {
			ds = append(ds, delivery(id, key, t0.Add(time.Duration(from+i)*time.Millisecond)))
		}
		stored, err := bulk.EnqueueAll(ctx(t), ds)
		if err != nil || len(stored) != len(ds) || slices.Contains(stored, false) {
			t.Fatalf("EnqueueAll of %d deliveries = %v, %v; want each stored", len(ds), stored, err)
		}
	}
}

func runLanes(t *testing.T, open Opener) {
	t.Run("concurrent enqueues are each stored once, duplicates recognised", func(t *testing.T) {
		s := open(t)
		const n, copies = 200, 20
		var wg sync.WaitGroup
		var inserted atomic.Int32
		errs := make(chan error, n+copies)
		for i := range n {
			wg.Go(func() {
				if ok, err := s.Enqueue(ctx(t), delivery(fmt.Sprintf("c%03d", i), fmt.Sprintf("acme/web#%d", i%7), t0)); err != nil || !ok {
					errs <- fmt.Errorf("Enqueue(c%03d) = %v, %v; want stored", i, ok, err)
				}
			})
		}
		for range copies {
			wg.Go(func() {
				ok, err := s.Enqueue(ctx(t), delivery("same", "acme/web#1", t0))
				if err != nil {
					errs <- err
				}
				if ok {
					inserted.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if got := inserted.Load(); got != 1 {
			t.Errorf("%d concurrent enqueues of one delivery id reported stored %d times, want once", copies, got)
		}
		mustDepth(t, s, n+1)
	})

	if _, ok := open(t).(bulkEnqueuer); ok {
		t.Run("a bulk enqueue keeps its order and recognises duplicates", func(t *testing.T) {
			s := open(t)
			bulk := s.(bulkEnqueuer)
			mustEnqueue(t, s, delivery("old", "acme/web#1", t0))
			stored, err := bulk.EnqueueAll(ctx(t), []store.Delivery{
				delivery("x", "acme/web#1", t0), delivery("old", "acme/web#1", t0),
				delivery("y", "acme/web#1", t0), delivery("x", "acme/web#1", t0),
			})
			if err != nil || !slices.Equal(stored, []bool{true, false, true, false}) {
				t.Fatalf("EnqueueAll = %v, %v; want [true false true false]", stored, err)
			}
			if got := claimLane(t, s, store.ClaimOptions{Max: 10}); !slices.Equal(got, []string{"old", "x", "y"}) {
				t.Fatalf("ClaimLane = %v, want [old x y]", got)
			}
		})
	}

	t.Run("a batch is a lane's head, in order, and holds the lane", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "acme/web#1", []string{"a", "b", "c", "d"})
		mustEnqueue(t, s, delivery("e", "acme/web#2", t0))
		if got := claimLane(t, s, store.ClaimOptions{Max: 3}); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("ClaimLane(max 3) = %v, want [a b c]", got)
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 3}); !slices.Equal(got, []string{"e"}) {
			t.Fatalf("ClaimLane while #1's batch is held = %v, want [e]", got)
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 3}); got != nil {
			t.Fatalf("ClaimLane = %v, want nothing: d waits for its lane's batch", got)
		}
		must(t, s.Complete(ctx(t), "a", "b", "c"))
		if got := claimLane(t, s, store.ClaimOptions{Max: 3}); !slices.Equal(got, []string{"d"}) {
			t.Fatalf("ClaimLane after the batch = %v, want [d]", got)
		}
		for _, id := range []string{"a", "b", "c"} {
			if got := mustDelivery(t, s, id).Status; got != store.DeliveryDone {
				t.Errorf("%s is %q after Complete, want done", id, got)
			}
		}
	})

	t.Run("hot key: thousands on one issue never hold up another issue", func(t *testing.T) {
		s := open(t)
		hot := ids("hot", 0, 2000)
		enqueueMany(t, s, "acme/web#1", hot)
		mustEnqueue(t, s, delivery("cold", "acme/web#2", t0.Add(time.Hour)))
		first := claimLane(t, s, store.ClaimOptions{Max: 64})
		if !slices.Equal(first, hot[:64]) {
			t.Fatalf("first claim = %d deliveries, want the hot issue's first 64", len(first))
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 64}); !slices.Equal(got, []string{"cold"}) {
			t.Fatalf("second claim = %v, want the other issue's one while the hot issue's batch is held", got)
		}
		must(t, s.Complete(ctx(t), "cold"))
		must(t, s.Complete(ctx(t), first...))
		got := first
		for {
			batch := claimLane(t, s, store.ClaimOptions{Max: 64})
			if batch == nil {
				break
			}
			got = append(got, batch...)
			must(t, s.Complete(ctx(t), batch...))
		}
		if !slices.Equal(got, hot) {
			t.Errorf("the hot issue ran %d deliveries, want all %d in arrival order", len(got), len(hot))
		}
		mustDepth(t, s, 0)
	})

	t.Run("a retrying head with thousands behind it holds only its own lane", func(t *testing.T) {
		s := open(t)
		stuck := ids("stuck", 0, 3000)
		enqueueMany(t, s, "acme/web#1", stuck)
		if got := claimLane(t, s, store.ClaimOptions{Max: 1}); !slices.Equal(got, stuck[:1]) {
			t.Fatalf("ClaimLane = %v, want the head", got)
		}
		// A retry due at once: the head runs again first, the rest after it.
		must(t, s.Retry(ctx(t), stuck[0], time.Now().Add(-time.Second), "GitHub answered 502"))
		if got := claimLane(t, s, store.ClaimOptions{Max: 64}); !slices.Equal(got, stuck[:64]) {
			t.Fatalf("ClaimLane once the retry is due = %d deliveries from %v, want the head and the next 63 in order", len(got), got[:min(len(got), 1)])
		}
		must(t, s.Release(ctx(t), stuck[1:64]...))
		// A retry due in an hour holds its lane, and only its lane.
		later := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
		must(t, s.Retry(ctx(t), stuck[0], later, "GitHub answered 502"))
		mustEnqueue(t, s, delivery("fresh", "acme/web#2", t0.Add(time.Hour)))
		if got := claimLane(t, s, store.ClaimOptions{Max: 64}); !slices.Equal(got, []string{"fresh"}) {
			t.Fatalf("ClaimLane = %v, want the other issue's fresh delivery", got)
		}
		must(t, s.Complete(ctx(t), "fresh"))
		if got := claimLane(t, s, store.ClaimOptions{Max: 64}); got != nil {
			t.Fatalf("ClaimLane = %d deliveries from %s, want nothing before the retry is due", len(got), got[0])
		}
		at, ok, err := s.NextReady(ctx(t), store.ClaimOptions{})
		if err != nil || !ok || !at.Equal(later) {
			t.Errorf("NextReady = %v, %v, %v; want the retry's time %v", at, ok, err, later)
		}
		mustDepth(t, s, len(stuck))
		if d := mustDelivery(t, s, stuck[0]); d.Attempts != 2 || d.Status != store.DeliveryPending {
			t.Errorf("the head is %s with %d attempts, want pending with 2", d.Status, d.Attempts)
		}
		for _, id := range []string{stuck[1], stuck[63]} {
			if d := mustDelivery(t, s, id); d.Attempts != 0 || d.Status != store.DeliveryPending {
				t.Errorf("%s behind the head is %s with %d attempts, want pending with none spent", id, d.Status, d.Attempts)
			}
		}
	})

	t.Run("an expired lease is taken over with its whole batch, in order", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "acme/web#1", []string{"a", "b", "c", "d", "e"})
		if got := claimLane(t, s, store.ClaimOptions{Max: 3, Lease: time.Millisecond}); !slices.Equal(got, []string{"a", "b", "c"}) {
			t.Fatalf("ClaimLane = %v, want [a b c]", got)
		}
		var got []string
		for deadline := time.Now().Add(10 * time.Second); got == nil && time.Now().Before(deadline); time.Sleep(2 * time.Millisecond) {
			got = claimLane(t, s, store.ClaimOptions{Max: 10, Worker: "worker-2"})
		}
		if !slices.Equal(got, []string{"a", "b", "c", "d", "e"}) {
			t.Fatalf("ClaimLane after the lease expired = %v, want [a b c d e]", got)
		}
		if again := claimLane(t, s, store.ClaimOptions{Max: 10}); again != nil {
			t.Fatalf("ClaimLane while the take-over holds the lane = %v, want nothing", again)
		}
		must(t, s.Complete(ctx(t), got...))
		mustDepth(t, s, 0)
	})

	t.Run("an extended lease is not taken over until its new end", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "acme/web#1", []string{"a", "b", "c"})
		lease := 300 * time.Millisecond
		claimed := time.Now()
		if got := claimLane(t, s, store.ClaimOptions{Max: 2, Lease: lease, Worker: "worker-1"}); !slices.Equal(got, []string{"a", "b"}) {
			t.Fatalf("ClaimLane = %v, want [a b]", got)
		}
		extendedTo := claimed.Add(time.Hour)
		must(t, s.Extend(ctx(t), "worker-1", extendedTo, "a", "b"))
		time.Sleep(time.Until(claimed.Add(2 * lease)))
		if got := claimLane(t, s, store.ClaimOptions{Max: 10, Worker: "worker-2"}); got != nil {
			t.Fatalf("ClaimLane after the first lease would have ended = %v, want nothing: it was extended", got)
		}
		if at, ok, err := s.NextReady(ctx(t), store.ClaimOptions{}); err != nil || ok && at.Before(extendedTo.Add(-time.Second)) {
			t.Errorf("NextReady = %v, %v, %v; want nothing ready before the extended lease ends", at, ok, err)
		}
		must(t, s.Complete(ctx(t), "a", "b"))
		if got := claimLane(t, s, store.ClaimOptions{Max: 10, Worker: "worker-2"}); !slices.Equal(got, []string{"c"}) {
			t.Fatalf("ClaimLane after the batch was completed = %v, want [c]", got)
		}
	})

	t.Run("only the worker holding a live lease extends it", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "acme/web#1", []string{"a", "b"})
		enqueueMany(t, s, "acme/web#2", []string{"x"})
		claimLane(t, s, store.ClaimOptions{Max: 2, Worker: "worker-1"})
		until := time.Now().Add(2 * time.Hour)
		if err := s.Extend(ctx(t), "worker-2", until, "a", "b"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Extend by another worker = %v, want ErrNotLeased", err)
		}
		if err := s.Extend(ctx(t), "worker-1", until, "a", "x"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Extend of a lease and a pending delivery = %v, want ErrNotLeased", err)
		}
		if err := s.Extend(ctx(t), "worker-1", until, "a", "unknown"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Extend of a lease and an unknown delivery = %v, want ErrNotLeased", err)
		}
		must(t, s.Complete(ctx(t), "a", "b"))
		if err := s.Extend(ctx(t), "worker-1", until, "a"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Extend of a done delivery = %v, want ErrNotLeased", err)
		}

		// A lease that ended may have been claimed again: its first worker
		// can no longer extend it, even before anyone has.
		if got := claimLane(t, s, store.ClaimOptions{Max: 1, Worker: "worker-1", Lease: time.Millisecond}); !slices.Equal(got, []string{"x"}) {
			t.Fatalf("ClaimLane = %v, want [x]", got)
		}
		time.Sleep(20 * time.Millisecond)
		if err := s.Extend(ctx(t), "worker-1", until, "x"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Extend of an ended lease = %v, want ErrNotLeased", err)
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 1, Worker: "worker-2"}); !slices.Equal(got, []string{"x"}) {
			t.Fatalf("ClaimLane after the lease ended = %v, want [x]", got)
		}
		if err := s.Extend(ctx(t), "worker-1", until, "x"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Extend by the worker whose lease was taken over = %v, want ErrNotLeased", err)
		}
		must(t, s.Extend(ctx(t), "worker-2", until, "x"))
	})

	t.Run("completing a batch is all or nothing", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "acme/web#1", []string{"a", "b"})
		claimLane(t, s, store.ClaimOptions{Max: 2})
		if err := s.Complete(ctx(t), "a", "unknown"); !errors.Is(err, store.ErrNotLeased) {
			t.Fatalf("Complete(a, unknown) = %v, want ErrNotLeased", err)
		}
		if got := mustDelivery(t, s, "a").Status; got != store.DeliveryLeased {
			t.Errorf("a is %q after a refused Complete, want still leased", got)
		}
		must(t, s.Complete(ctx(t), "a", "b"))
		mustDepth(t, s, 0)
	})

	t.Run("release hands a batch back without spending an attempt", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "acme/web#1", []string{"a", "b", "c"})
		claimLane(t, s, store.ClaimOptions{Max: 3})
		must(t, s.Release(ctx(t), "b", "c"))
		must(t, s.Complete(ctx(t), "a"))
		if got := claimLane(t, s, store.ClaimOptions{Max: 3}); !slices.Equal(got, []string{"b", "c"}) {
			t.Fatalf("ClaimLane after Release = %v, want [b c]", got)
		}
		for _, id := range []string{"b", "c"} {
			if d := mustDelivery(t, s, id); d.Attempts != 0 || d.LastError != "" {
				t.Errorf("%s after Release: %d attempts, error %q; want none spent", id, d.Attempts, d.LastError)
			}
		}
		if err := s.Release(ctx(t), "a"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Release of a done delivery = %v, want ErrNotLeased", err)
		}
	})

	t.Run("a failed delivery that GitHub redelivers runs in its issue's order", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("a", "acme/web#1", t0))
		claimLane(t, s, store.ClaimOptions{Max: 1})
		must(t, s.Fail(ctx(t), "a", "gave up"))
		enqueueMany(t, s, "acme/web#1", []string{"b", "c"})
		if got := claimLane(t, s, store.ClaimOptions{Max: 1}); !slices.Equal(got, []string{"b"}) {
			t.Fatalf("ClaimLane = %v, want [b]", got)
		}
		inserted, err := s.Enqueue(ctx(t), delivery("a", "acme/web#1", t0))
		if err != nil || !inserted {
			t.Fatalf("redelivery of the failed a: inserted=%v err=%v, want it queued again", inserted, err)
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 5}); got != nil {
			t.Fatalf("ClaimLane while b is held = %v, want nothing: the redelivery waits in its lane", got)
		}
		must(t, s.Complete(ctx(t), "b"))
		if got := claimLane(t, s, store.ClaimOptions{Max: 5}); !slices.Equal(got, []string{"c", "a"}) {
			t.Fatalf("ClaimLane = %v, want [c a]: the redelivery after what was queued before it", got)
		}
		if d := mustDelivery(t, s, "a"); d.Attempts != 0 {
			t.Errorf("the redelivery has %d attempts, want a fresh budget", d.Attempts)
		}
	})

	t.Run("a claim skips the repositories and installations it is told to", func(t *testing.T) {
		s := open(t)
		slow := delivery("slow", "acme/slow#1", t0)
		other := delivery("other-install", "umbrella/api#1", t0.Add(time.Second))
		other.InstallationID = 7
		mustEnqueue(t, s, slow, other, delivery("web", "acme/web#1", t0.Add(2*time.Second)),
			delivery("install", "installation:42", t0.Add(3*time.Second)))
		skip := store.ClaimOptions{Max: 5, SkipRepos: []string{"acme/slow"}, SkipInstallations: []int64{7}}
		for _, want := range []string{"web", "install"} {
			if got := claimLane(t, s, skip); !slices.Equal(got, []string{want}) {
				t.Fatalf("ClaimLane skipping acme/slow and installation 7 = %v, want [%s]", got, want)
			}
		}
		if got := claimLane(t, s, skip); got != nil {
			t.Fatalf("ClaimLane = %v, want nothing but what it skips", got)
		}
		must(t, s.Complete(ctx(t), "web", "install"))
		if _, ok, err := s.NextReady(ctx(t), skip); ok || err != nil {
			t.Errorf("NextReady skipping the rest = %v, %v; want nothing", ok, err)
		}
		if at, ok, err := s.NextReady(ctx(t), store.ClaimOptions{}); !ok || err != nil || at.After(time.Now()) {
			t.Errorf("NextReady = %v, %v, %v; want ready now", at, ok, err)
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 5}); !slices.Equal(got, []string{"slow"}) {
			t.Fatalf("ClaimLane without skips = %v, want [slow]", got)
		}
	})

	t.Run("an uninstall's purge leaves no lane pointing at a deleted delivery", func(t *testing.T) {
		s := open(t)
		gone := delivery("gone", "umbrella/api#1", t0)
		gone.InstallationID = 7
		mustEnqueue(t, s, gone, delivery("kept", "acme/web#1", t0.Add(time.Second)))
		must(t, s.PutInstallation(ctx(t), store.Installation{ID: 7, Account: "umbrella"}))
		must(t, s.DeleteInstallation(ctx(t), 7))
		if got := claimLane(t, s, store.ClaimOptions{Max: 5}); !slices.Equal(got, []string{"kept"}) {
			t.Fatalf("ClaimLane after the purge = %v, want [kept]", got)
		}
		if _, ok, err := s.NextReady(ctx(t), store.ClaimOptions{SkipRepos: []string{"acme/web"}}); ok || err != nil {
			t.Errorf("NextReady after the purge = %v, %v; want nothing left of the purged installation", ok, err)
		}
	})

	t.Run("a forgotten delivery leaves its lane to the next", func(t *testing.T) {
		s := open(t)
		enqueueMany(t, s, "installation:42", []string{"a", "b", "c"})
		claimLane(t, s, store.ClaimOptions{Max: 2})
		must(t, s.Forget(ctx(t), "a"))
		must(t, s.Complete(ctx(t), "b"))
		if _, ok, _ := s.Delivery(ctx(t), "a"); ok {
			t.Error("a forgotten delivery is still stored")
		}
		if got := claimLane(t, s, store.ClaimOptions{Max: 5}); !slices.Equal(got, []string{"c"}) {
			t.Fatalf("ClaimLane = %v, want [c]", got)
		}
	})

	t.Run("next ready follows leases and retries", func(t *testing.T) {
		s := open(t)
		if _, ok, err := s.NextReady(ctx(t), store.ClaimOptions{}); ok || err != nil {
			t.Fatalf("NextReady on an empty queue = %v, %v; want nothing", ok, err)
		}
		mustEnqueue(t, s, delivery("a", "acme/web#1", t0))
		leased, err := s.ClaimLane(ctx(t), store.ClaimOptions{Worker: "w", Lease: time.Hour, Max: 1})
		if err != nil || len(leased) != 1 {
			t.Fatal(leased, err)
		}
		at, ok, err := s.NextReady(ctx(t), store.ClaimOptions{})
		if err != nil || !ok || at.Before(time.Now().Add(59*time.Minute)) {
			t.Errorf("NextReady while leased for an hour = %v, %v, %v; want the lease's end", at, ok, err)
		}
		must(t, s.Complete(ctx(t), "a"))
		if _, ok, err := s.NextReady(ctx(t), store.ClaimOptions{}); ok || err != nil {
			t.Errorf("NextReady once done = %v, %v; want nothing", ok, err)
		}
	})
}
