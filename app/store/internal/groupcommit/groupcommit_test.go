package groupcommit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

func TestConcurrentWritesShareCommitsAndEachGetsItsOwnResult(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	c := New(1, 64, func(ctx context.Context, items []int) ([]string, error) {
		mu.Lock()
		sizes = append(sizes, len(items))
		mu.Unlock()
		time.Sleep(5 * time.Millisecond) // a commit takes a while; others gather meanwhile
		out := make([]string, len(items))
		for i, n := range items {
			out[i] = fmt.Sprint(n * 2)
		}
		return out, nil
	})
	defer c.Close()
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			got, err := c.Do(context.Background(), i)
			if err != nil || got != fmt.Sprint(i*2) {
				t.Errorf("Do(%d) = %q, %v; want %d", i, got, err, i*2)
			}
		})
	}
	wg.Wait()
	total := 0
	for _, s := range sizes {
		total += s
		if s > 64 {
			t.Errorf("a batch of %d items, want at most 64", s)
		}
	}
	if total != n || len(sizes) >= n {
		t.Errorf("%d items committed in %d batches, want all %d in fewer batches than items", total, len(sizes), n)
	}
}

func TestABadItemFailsAloneAndTheRestAreCommitted(t *testing.T) {
	errBad := errors.New("bad item")
	release := make(chan struct{})
	c := New(1, 64, func(ctx context.Context, items []int) ([]int, error) {
		<-release
		for _, n := range items {
			if n == 13 {
				return nil, errBad
			}
		}
		return items, nil
	})
	defer c.Close()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range 20 {
		wg.Go(func() { _, errs[i] = c.Do(context.Background(), i) })
	}
	time.Sleep(20 * time.Millisecond) // let them gather behind the first
	close(release)
	wg.Wait()
	for i, err := range errs {
		if want := i == 13; (err != nil) != want || want && !errors.Is(err, errBad) {
			t.Errorf("item %d: %v", i, err)
		}
	}
}

func TestAWriteNobodyWaitsForIsDropped(t *testing.T) {
	release := make(chan struct{})
	var mu sync.Mutex
	var committed []int
	c := New(1, 64, func(ctx context.Context, items []int) ([]int, error) {
		<-release
		mu.Lock()
		committed = append(committed, items...)
		mu.Unlock()
		return items, nil
	})
	defer c.Close()
	go c.Do(context.Background(), 1) // occupies the writer
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	done := make(chan error)
	go func() { _, err := c.Do(ctx, 2); done <- err }()
	if err := <-done; !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Do past its deadline = %v, want DeadlineExceeded", err)
	}
	close(release)
	if _, err := c.Do(context.Background(), 3); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	for _, n := range committed {
		if n == 2 {
			t.Errorf("committed %v: the write whose caller gave up was committed", committed)
		}
	}
}
