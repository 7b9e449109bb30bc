package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Queue is what the pool needs of the durable queue: taking a delivery
// and settling it.
type Queue interface {
	Claim(ctx context.Context, worker string, leaseFor time.Duration) (store.Delivery, error)
	Complete(ctx context.Context, id string) error
	Retry(ctx context.Context, id string, at time.Time, lastError string) error
	Fail(ctx context.Context, id string, lastError string) error
	Forget(ctx context.Context, id string) error
}

// PoolOptions configures a Pool. Zero values take the defaults in brackets.
type PoolOptions struct {
	Queue   Queue
	Handle  func(ctx context.Context, d store.Delivery) error
	Metrics *metrics.Metrics
	Log     *slog.Logger

	Workers     int           // parallel workers [8]
	Lease       time.Duration // how long a claim lasts before another worker may take over [2m]
	MaxAttempts int           // attempts before a delivery is kept as failed [12: about an hour of backoff]
	RetryBase   time.Duration // first queue-level backoff, doubled per attempt [5s]
	RetryMax    time.Duration // longest queue-level backoff [15m]
	Poll        time.Duration // how often idle workers look for due retries [1s]
	// Classify says whether an error is permanent (no retry helps) and, for
	// rate limits, when to retry [Classify].
	Classify func(err error) (permanent bool, retryAt time.Time)
	// OnDone is called after a delivery is completed or failed, e.g. to
	// refresh cached gauges.
	OnDone func()
}

// Pool processes stored deliveries with a fixed number of workers. The
// store's Claim keeps deliveries of one issue in order and one at a time;
// deliveries of different issues run in parallel.
type Pool struct {
	opts    PoolOptions
	wake    chan struct{}
	running atomic.Bool
	worker  string
}

// NewPool returns a Pool; call Run to start it.
func NewPool(opts PoolOptions) *Pool {
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.Lease <= 0 {
		opts.Lease = 2 * time.Minute
	}
	if opts.MaxAttempts <= 0 {
		opts.MaxAttempts = 12
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 5 * time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 15 * time.Minute
	}
	if opts.Poll <= 0 {
		opts.Poll = time.Second
	}
	if opts.Classify == nil {
		opts.Classify = Classify
	}
	host, _ := os.Hostname()
	return &Pool{opts: opts, wake: make(chan struct{}, 1), worker: fmt.Sprintf("%s-%d-%d", host, os.Getpid(), rand.Uint32())}
}

// Wake tells idle workers that a delivery was stored.
func (p *Pool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Running reports whether the workers are running.
func (p *Pool) Running() bool { return p.running.Load() }

// Run processes deliveries until ctx is done, then lets in-flight
// deliveries finish for up to grace before cancelling them; a cancelled
// delivery goes back to the queue and runs again at the next start.
func (p *Pool) Run(ctx context.Context, grace time.Duration) {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	// After ctx ends, in-flight work has grace to finish; a timer firing
	// after Run returned only cancels an already cancelled context.
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancelWork) })
	defer stop()

	p.running.Store(true)
	defer p.running.Store(false)
	var wg sync.WaitGroup
	for range p.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p.work(ctx, workCtx)
		}()
	}
	wg.Wait()
}

func (p *Pool) work(ctx, workCtx context.Context) {
	ticker := time.NewTicker(p.opts.Poll)
	defer ticker.Stop()
	for ctx.Err() == nil {
		d, err := p.opts.Queue.Claim(ctx, p.worker, p.opts.Lease)
		switch {
		case err == nil:
			p.process(workCtx, d)
			p.Wake() // others may now take this next delivery
			continue
		case errors.Is(err, store.ErrNoDelivery), errors.Is(err, context.Canceled):
		default:
			p.opts.Log.Error("queue: claim failed", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-ticker.C:
		}
	}
}

func (p *Pool) process(ctx context.Context, d store.Delivery) {
	log := p.opts.Log.With("delivery", d.ID, "event", d.Event, "action", d.Action)
	start := time.Now()
	err := p.handle(ctx, d)
	p.opts.Metrics.EventProcessing.WithLabelValues(d.Event).Observe(time.Since(start).Seconds())

	// Bookkeeping must land even if the work context was just cancelled.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if errors.Is(err, ErrForget) {
		if ferr := p.opts.Queue.Forget(bctx, d.ID); ferr != nil {
			log.Error("queue: could not forget delivery; it will run again", "err", ferr)
			return
		}
		p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "done").Inc()
		p.done()
		return
	}
	if err == nil {
		if cerr := p.opts.Queue.Complete(bctx, d.ID); cerr != nil {
			log.Error("queue: could not mark delivery done; it will run again", "err", cerr)
			return
		}
		p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "done").Inc()
		log.Debug("delivery processed", "seconds", time.Since(start).Seconds())
		p.done()
		return
	}

	permanent, retryAt := p.opts.Classify(err)
	permanent = permanent || errors.Is(err, ErrPanic)
	attempt := d.Attempts + 1
	if errors.Is(err, context.Canceled) && ctx.Err() != nil {
		// Shutting down: not the delivery's fault, so it costs no attempt budget.
		permanent, attempt = false, d.Attempts
		retryAt = time.Now()
	}
	if permanent || attempt >= p.opts.MaxAttempts {
		if ferr := p.opts.Queue.Fail(bctx, d.ID, err.Error()); ferr != nil {
			log.Error("queue: could not mark delivery failed", "err", ferr)
			return
		}
		p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "failed").Inc()
		p.opts.Metrics.DeliveriesFailed.WithLabelValues(d.Event).Inc()
		log.Error("delivery failed; kept as failed", "attempts", attempt, "permanent", permanent, "err", err)
		p.done()
		return
	}
	if retryAt.IsZero() {
		retryAt = time.Now().Add(p.backoff(attempt))
	}
	if rerr := p.opts.Queue.Retry(bctx, d.ID, retryAt, err.Error()); rerr != nil {
		log.Error("queue: could not reschedule delivery; its lease will expire and it will run again", "err", rerr)
		return
	}
	p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "retried").Inc()
	log.Warn("delivery will be retried", "attempt", attempt, "retry_at", retryAt.UTC().Format(time.RFC3339), "err", err)
}

// ErrPanic marks a delivery whose handler panicked: a bug, so it is failed
// at once rather than retried, and never takes the process down again at
// the next start.
var ErrPanic = errors.New("handler panicked")

// handle runs the handler with a deadline inside the lease, so a slow
// delivery cannot still be running when another worker may take it over,
// and turns a panic into a failed delivery.
func (p *Pool) handle(ctx context.Context, d store.Delivery) (err error) {
	ctx, cancel := context.WithTimeout(ctx, p.opts.Lease*3/4)
	defer cancel()
	defer func() {
		if r := recover(); r != nil {
			p.opts.Log.Error("handler panicked; the delivery is kept as failed", "delivery", d.ID, "event", d.Event,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return p.opts.Handle(ctx, d)
}

func (p *Pool) done() {
	if p.opts.OnDone != nil {
		p.opts.OnDone()
	}
}

// backoff is exponential with full jitter over its upper half.
func (p *Pool) backoff(attempt int) time.Duration {
	d := p.opts.RetryBase << min(attempt-1, 20)
	if d > p.opts.RetryMax || d <= 0 {
		d = p.opts.RetryMax
	}
	return d/2 + rand.N(d/2+1)
}
