package storetest

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// ClaimConcurrently enqueues n deliveries spread over a few order keys (and
// some without a key) into stores[0], then lets workers goroutines claim
// them in batches of one to four and complete each batch together, taking
// turns over stores (several stores opened on one database stand for
// several replicas). It fails the test if a delivery is handed out twice, if
// two batches of one key are ever held at the same time, or if a key's
// deliveries run out of arrival order.
func ClaimConcurrently(t *testing.T, stores []store.Store, workers, n int) {
	t.Helper()
	const keys = 12
	want := map[string][]string{} // order key -> ids in arrival order
	for i := range n {
		key := fmt.Sprintf("acme/web#%d", i%keys)
		if i%7 == 0 {
			key = ""
		}
		d := delivery(fmt.Sprintf("d%04d", i), key, t0.Add(time.Duration(i)*time.Millisecond))
		mustEnqueue(t, stores[0], d)
		want[key] = append(want[key], d.ID)
	}

	var (
		mu       sync.Mutex
		seen     = map[string]string{} // id -> worker
		inFlight = map[string]string{} // order key -> id held now
		got      = map[string][]string{}
		done     int
		problems []string
	)
	deadline := time.Now().Add(60 * time.Second)
	var wg sync.WaitGroup
	for w := range workers {
		s := stores[w%len(stores)]
		name := fmt.Sprintf("worker-%d", w)
		wg.Go(func() {
			for {
				mu.Lock()
				finished := done == n || len(problems) > 0
				mu.Unlock()
				if finished || time.Now().After(deadline) {
					return
				}
				batch, err := s.ClaimLane(t.Context(), store.ClaimOptions{Worker: name, Lease: time.Minute, Max: 1 + w%4})
				if errors.Is(err, store.ErrNoDelivery) {
					time.Sleep(100 * time.Microsecond)
					continue
				}
				if err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("%s: ClaimLane: %v", name, err))
					mu.Unlock()
					return
				}
				key := batch[0].OrderKey
				var batchIDs []string
				mu.Lock()
				for _, d := range batch {
					if d.OrderKey != key {
						problems = append(problems, fmt.Sprintf("%s claimed %s of %q in a batch of %q", name, d.ID, d.OrderKey, key))
					}
					if other, ok := seen[d.ID]; ok {
						problems = append(problems, fmt.Sprintf("%s claimed %s, already claimed by %s", name, d.ID, other))
					}
					seen[d.ID] = name
					got[d.OrderKey] = append(got[d.OrderKey], d.ID)
					batchIDs = append(batchIDs, d.ID)
				}
				if key == "" && len(batch) > 1 {
					problems = append(problems, fmt.Sprintf("%s claimed %d deliveries without an order key in one batch", name, len(batch)))
				}
				if key != "" {
					if held, ok := inFlight[key]; ok {
						problems = append(problems, fmt.Sprintf("%s claimed %v while %s of the same key %s was held",
							name, batchIDs, held, key))
					}
					inFlight[key] = batchIDs[0]
				}
				mu.Unlock()

				time.Sleep(50 * time.Microsecond) // the work

				// Release the key before Complete: until Complete commits the
				// store must still hold the key, so this cannot hide a violation.
				mu.Lock()
				if key != "" {
					delete(inFlight, key)
				}
				mu.Unlock()
				if err := s.Complete(t.Context(), batchIDs...); err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("%s: Complete(%v): %v", name, batchIDs, err))
					mu.Unlock()
					return
				}
				mu.Lock()
				done += len(batchIDs)
				mu.Unlock()
			}
		})
	}
	wg.Wait()

	for _, p := range problems {
		t.Error(p)
	}
	if done != n {
		t.Fatalf("%d of %d deliveries completed before the deadline", done, n)
	}
	for key, ids := range want {
		if key == "" {
			continue
		}
		if !slices.Equal(got[key], ids) {
			t.Errorf("key %s ran in order %v, want %v", key, got[key], ids)
		}
	}
	mustDepth(t, stores[0], 0)
}

// EnqueueWhileClaiming stores deliveries on a few order keys from several
// goroutines while workers claim and complete them, so that lanes keep
// emptying and opening again under concurrent enqueues, taking turns over
// stores (replicas). Every delivery must be handed out exactly once, each
// key's in the order its goroutine stored them, and none may be left behind.
func EnqueueWhileClaiming(t *testing.T, stores []store.Store, workers int) {
	t.Helper()
	const senders, each = 4, 60
	keys := []string{"acme/web#1", "acme/web#2", "acme/api#1"}
	var (
		mu       sync.Mutex
		seen     = map[string]bool{}
		lastSent = map[string]int{} // key/sender -> last index handed out
		problems []string
		done     int
	)
	var sending sync.WaitGroup
	for g := range senders {
		s := stores[g%len(stores)]
		sending.Go(func() {
			for i := range each {
				key := keys[(g+i)%len(keys)]
				d := delivery(fmt.Sprintf("s%d-%03d", g, i), key, t0)
				if ok, err := s.Enqueue(t.Context(), d); err != nil || !ok {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("Enqueue(%s) = %v, %v", d.ID, ok, err))
					mu.Unlock()
				}
			}
		})
	}
	stop := make(chan struct{})
	var working sync.WaitGroup
	for w := range workers {
		s := stores[w%len(stores)]
		working.Go(func() {
			for {
				batch, err := s.ClaimLane(t.Context(), store.ClaimOptions{Worker: fmt.Sprint("w", w), Lease: time.Minute, Max: 3})
				if errors.Is(err, store.ErrNoDelivery) {
					select {
					case <-stop:
						return
					case <-time.After(200 * time.Microsecond):
					}
					continue
				}
				if err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("ClaimLane: %v", err))
					mu.Unlock()
					return
				}
				var ids []string
				mu.Lock()
				for _, d := range batch {
					if seen[d.ID] {
						problems = append(problems, d.ID+" handed out twice")
					}
					seen[d.ID] = true
					var g, i int
					fmt.Sscanf(d.ID, "s%d-%d", &g, &i)
					k := fmt.Sprintf("%s/%d", d.OrderKey, g)
					if prev, ok := lastSent[k]; ok && i < prev {
						problems = append(problems, fmt.Sprintf("%s ran after s%d-%03d of the same key", d.ID, g, prev))
					}
					lastSent[k] = i
					ids = append(ids, d.ID)
				}
				mu.Unlock()
				if err := s.Complete(t.Context(), ids...); err != nil {
					mu.Lock()
					problems = append(problems, fmt.Sprintf("Complete: %v", err))
					mu.Unlock()
					return
				}
				mu.Lock()
				done += len(ids)
				mu.Unlock()
			}
		})
	}
	sending.Wait()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		mu.Lock()
		finished := done == senders*each || len(problems) > 0
		mu.Unlock()
		if finished || time.Now().After(deadline) {
			break
		}
	}
	close(stop)
	working.Wait()
	for _, p := range problems {
		t.Error(p)
	}
	if done != senders*each {
		t.Fatalf("%d of %d deliveries were handed out; the rest were left without a lane", done, senders*each)
	}
	mustDepth(t, stores[0], 0)
}
