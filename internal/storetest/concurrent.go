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
