package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"os"
	"runtime/debug"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/slots"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Queue is what the pool needs of the durable queue: taking a lane's
// batch, keeping its lease while it runs, knowing when to look again, and
// settling deliveries.
type Queue interface {
	ClaimLane(ctx context.Context, opts store.ClaimOptions) ([]store.Delivery, error)
	Extend(ctx context.Context, worker string, until time.Time, ids ...string) error
	NextReady(ctx context.Context, opts store.ClaimOptions) (time.Time, bool, error)
	Complete(ctx context.Context, ids ...string) error
	Retry(ctx context.Context, id string, at time.Time, lastError string) error
	Release(ctx context.Context, ids ...string) error
	Fail(ctx context.Context, id string, lastError string) error
	Forget(ctx context.Context, id string) error
}

// PoolOptions configures a Pool. Zero values take the defaults in brackets.
type PoolOptions struct {
	Queue   Queue
	Handle  func(ctx context.Context, d store.Delivery) error
	Metrics *metrics.Metrics
	Log     *slog.Logger

	Workers int // parallel workers [8]
	Batch   int // most deliveries of one lane a worker takes at once [32]
	// RepoShare and InstallationShare are the most workers one repository
	// and one installation may hold at a time [half the workers; all but a
	// quarter of them], so that one whose GitHub calls are slow leaves
	// workers for the others.
	RepoShare         int
	InstallationShare int
	// Lease is how long a claim lasts unless renewed [30s]. A running batch
	// renews it every third of it, so a replica that dies has its batches
	// taken over within a lease.
	Lease time.Duration
	// BatchTime is the longest a batch's handlers run before they are
	// cancelled and its rest is retried [90s]; its deferred work (the bot
	// comment) has a sixth of that again.
	BatchTime   time.Duration
	MaxAttempts int           // attempts before a delivery is kept as failed [12: about an hour of backoff]
	RetryBase   time.Duration // first queue-level backoff, doubled per attempt [5s]
	RetryMax    time.Duration // longest queue-level backoff [15m]
	// Poll is the longest an idle pool goes without looking at the queue
	// [10s]. It looks at once when a delivery is stored or a batch
	// finishes, and when the earliest waiting lane's time comes; the poll
	// only covers wake-ups that were lost.
	Poll time.Duration
	// Classify says whether an error is permanent (no retry helps) and, for
	// rate limits, when to retry [Classify].
	Classify func(err error) (permanent bool, retryAt time.Time)
	// OnDone is called after deliveries are completed or failed, e.g. to
	// refresh cached gauges.
	OnDone func()
	// Slots bounds how many workers use the CPU at once [no bound]: each
	// holds a slot while it handles a batch, and gives it up while it waits
	// for GitHub or between two deliveries when fewer are allowed now.
	Slots *slots.Slots
	// Busy reports whether webhooks are arriving [never]. While they are,
	// and arrive in bursts on the same issues, the scheduler waits Gather
	// after it is woken before it claims, so that a burst on one issue
	// becomes one batch (see arrivals).
	Busy func() bool
	// Gather is how long deliveries gather into batches while webhooks
	// arrive in bursts [50ms]; below 0, never.
	Gather time.Duration
}

// Pool processes stored deliveries with a fixed number of workers. One
// scheduler claims a lane's batch whenever a worker is idle and hands it to
// that worker; the store keeps each lane's deliveries in order and one batch
// at a time, so deliveries of one issue run in order while different issues
// run in parallel.
type Pool struct {
	opts    PoolOptions
	wake    chan struct{}
	running atomic.Bool
	worker  string
	claims  atomic.Uint64 // numbers each claim's worker name, so only its batch renews its lease

	mu       sync.Mutex
	idle     int            // workers waiting for a batch
	held     map[string]int // order keys of the batches under way
	shares   *shares
	arrivals arrivals
}

// NewPool returns a Pool; call Run to start it.
func NewPool(opts PoolOptions) *Pool {
	if opts.Workers <= 0 {
		opts.Workers = 8
	}
	if opts.Batch <= 0 {
		opts.Batch = 32
	}
	if opts.RepoShare <= 0 {
		opts.RepoShare = max(1, opts.Workers/2)
	}
	if opts.InstallationShare <= 0 {
		opts.InstallationShare = max(1, opts.Workers-max(1, opts.Workers/4))
	}
	if opts.Lease <= 0 {
		opts.Lease = 30 * time.Second
	}
	if opts.BatchTime <= 0 {
		opts.BatchTime = 90 * time.Second
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
		opts.Poll = 10 * time.Second
	}
	if opts.Busy == nil {
		opts.Gather = -1 // never busy: nothing to gather for
	} else if opts.Gather == 0 {
		opts.Gather = 50 * time.Millisecond
	}
	if opts.Classify == nil {
		opts.Classify = Classify
	}
	host, _ := os.Hostname()
	return &Pool{opts: opts, wake: make(chan struct{}, 1), worker: fmt.Sprintf("%s-%d-%d", host, os.Getpid(), rand.Uint32()),
		held: map[string]int{}, shares: newShares(opts), arrivals: arrivals{period: burstPeriod * opts.Gather}}
}

// Wake tells the scheduler that work may be ready: a delivery was stored,
// or another replica finished a batch.
func (p *Pool) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Stored tells the scheduler that a delivery with orderKey was stored. It
// wakes the scheduler unless the delivery cannot run now anyway: its lane
// is held by one of this pool's workers (which wakes the scheduler when it
// finishes), or its repository holds its share of the workers or is
// paused. A burst on one busy issue so costs no claims.
func (p *Pool) Stored(orderKey string) {
	p.mu.Lock()
	now := time.Now()
	p.arrivals.add(orderKey, now)
	busy := orderKey != "" && p.held[orderKey] > 0 || p.shares.holdsBack(store.RepoOfKey(orderKey), now)
	p.mu.Unlock()
	if !busy {
		p.Wake()
	}
}

// Running reports whether the workers are running.
func (p *Pool) Running() bool { return p.running.Load() }

// Run processes deliveries until ctx is done, then lets in-flight batches
// finish for up to grace before cancelling them; a cancelled batch goes back
// to the queue, without spending an attempt, and runs again at the next
// start (or on another replica).
func (p *Pool) Run(ctx context.Context, grace time.Duration) {
	workCtx, cancelWork := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelWork()
	// After ctx ends, in-flight work has grace to finish; a timer firing
	// after Run returned only cancels an already cancelled context.
	stop := context.AfterFunc(ctx, func() { time.AfterFunc(grace, cancelWork) })
	defer stop()

	p.running.Store(true)
	defer p.running.Store(false)
	p.mu.Lock()
	p.idle = p.opts.Workers
	p.mu.Unlock()
	jobs := make(chan claim)
	var wg sync.WaitGroup
	for range p.opts.Workers {
		wg.Go(func() {
			for c := range jobs {
				batch := c.batch
				// The lease is kept from the claim on, also while the batch
				// waits for a slot.
				lctx, stopLease := keepLease(workCtx, p.opts.Queue, p.opts.Log, c.worker, ids(batch), c.at, p.opts.Lease)
				ctx, release, err := p.opts.Slots.Hold(lctx)
				if err != nil { // shutting down, or the lease was lost: the batch goes back
					ctx, release = lctx, func() {}
				}
				o, retryAt := p.runBatch(ctx, c, stopLease)
				release()
				p.mu.Lock()
				p.idle++
				p.shares.settle(batch[0], o, retryAt, time.Now())
				if p.held[batch[0].OrderKey]--; p.held[batch[0].OrderKey] <= 0 {
					delete(p.held, batch[0].OrderKey)
				}
				p.mu.Unlock()
				p.Wake() // this lane, or a lane held back by it, may be ready now
			}
		})
	}
	p.schedule(ctx, jobs)
	close(jobs)
	wg.Wait()
}

// schedule claims batches for idle workers until ctx ends. It looks at the
// queue when woken, and otherwise sleeps until the earliest waiting lane is
// due or a pause ends (at most Poll): an idle App, or one whose lanes all
// wait for GitHub, does not poll the store. Each claim leaves out the
// repositories and installations that hold their share of the workers or
// are paused (see shares). While webhooks arrive in bursts, it waits
// Gather after a wake-up before it looks (see gather).
func (p *Pool) schedule(ctx context.Context, jobs chan<- claim) {
	timer := time.NewTimer(0) // look once at the start
	defer timer.Stop()
	// full is whether the last batch claimed was as large as a batch may
	// be: its lane, or the queue, has a backlog that waiting cannot grow.
	full := false
	for {
		select {
		case <-ctx.Done():
			return
		case <-p.wake:
		case <-timer.C:
		}
		if !full && !p.gather(ctx) {
			return
		}
		for ctx.Err() == nil {
			opts, pauseEnds, idle := p.claimOptions()
			if !idle {
				break // a worker that finishes wakes the scheduler
			}
			claimed := time.Now() // no later than the lease starts
			batch, err := p.opts.Queue.ClaimLane(ctx, opts)
			if err == nil {
				full = len(batch) >= p.opts.Batch
				p.mu.Lock()
				p.idle--
				p.shares.take(batch[0])
				p.held[batch[0].OrderKey]++
				p.mu.Unlock()
				jobs <- claim{batch: batch, worker: opts.Worker, at: claimed}
				continue
			}
			switch {
			case errors.Is(err, store.ErrNoDelivery):
				full = false
				wait := p.untilReady(ctx, opts)
				if !pauseEnds.IsZero() {
					wait = min(wait, max(time.Until(pauseEnds), 0))
				}
				timer.Reset(wait)
			case ctx.Err() == nil:
				p.opts.Log.Error("queue: claim failed", "err", err)
				timer.Reset(p.opts.Poll)
			}
			break
		}
	}
}

// gather waits Gather while webhooks are arriving in bursts, and reports
// false if ctx ended meanwhile.
func (p *Pool) gather(ctx context.Context) bool {
	if p.opts.Gather <= 0 || !p.opts.Busy() {
		return true
	}
	p.mu.Lock()
	bursts := p.arrivals.bursts(time.Now())
	p.mu.Unlock()
	if !bursts {
		return true
	}
	t := time.NewTimer(p.opts.Gather)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// claimOptions says what the next claim may take, when the earliest pause
// ends, and whether a worker is idle to take it.
func (p *Pool) claimOptions() (store.ClaimOptions, time.Time, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	repos, installations, pauseEnds := p.shares.skip(time.Now())
	return store.ClaimOptions{Worker: fmt.Sprintf("%s-%d", p.worker, p.claims.Add(1)), Lease: p.opts.Lease, Max: p.opts.Batch,
		SkipRepos: repos, SkipInstallations: installations}, pauseEnds, p.idle > 0
}

// minLook is the shortest sleep after a claim that found nothing, so a lane
// reported ready that a claim cannot take (another replica is taking it right
// now) is not asked for in a tight loop.
const minLook = 25 * time.Millisecond

// untilReady is how long to sleep before looking at the queue again.
func (p *Pool) untilReady(ctx context.Context, opts store.ClaimOptions) time.Duration {
	at, ok, err := p.opts.Queue.NextReady(ctx, opts)
	if err != nil || !ok {
		return p.opts.Poll
	}
	return min(max(time.Until(at), min(minLook, p.opts.Poll)), p.opts.Poll)
}

// claim is a lane's batch as claimed: by which worker name, and no later
// than when.
type claim struct {
	batch  []store.Delivery
	worker string
	at     time.Time
}

// runBatch handles a lane's batch in order until one delivery fails, runs
// the work its deliveries deferred, and settles them: those handled are
// completed together, the one that failed is retried (or failed), and the
// rest go back to the queue without spending an attempt. ctx ends at a
// shutdown or when the batch's lease is lost (see keepLease); stopLease
// ends the lease's renewals before the batch is settled.
func (p *Pool) runBatch(ctx context.Context, c claim, stopLease func()) (outcome, time.Time) {
	ds := c.batch
	start := time.Now()
	b := &batch{}
	hctx, cancel := context.WithDeadline(withBatch(ctx, b), start.Add(p.opts.BatchTime))
	defer cancel()
	handled, failure := len(ds), error(nil)
	var forget []string // handled, and to leave no trace (see ErrForget)
	for i, d := range ds {
		b.current = i
		if i > 0 {
			slots.Pause(hctx)
		}
		t := time.Now()
		err := p.handle(hctx, d)
		p.opts.Metrics.EventProcessing.WithLabelValues(d.Event).Observe(time.Since(t).Seconds())
		if errors.Is(err, ErrForget) {
			forget = append(forget, d.ID)
			continue
		}
		if err != nil {
			handled, failure = i, err
			break
		}
	}
	fctx, fcancel := context.WithDeadline(ctx, start.Add(p.opts.BatchTime*7/6))
	defer fcancel()
	if owner, err := b.flush(fctx, p.runDeferred); owner >= 0 && (failure == nil || owner < handled) {
		// Redoing the delivery that deferred the failed work redoes it.
		handled, failure = owner, err
	}
	// Read before stopLease, which ends ctx too.
	handBack, leaseLost := ctx.Err() != nil, errors.Is(context.Cause(ctx), errLeaseLost)
	stopLease()
	if leaseLost {
		p.opts.Metrics.LeasesLost.Inc()
	}
	return p.settle(ctx, ds, handled, failure, forget, start, handBack, leaseLost)
}

// settle records a batch's outcome: ds[:handled] done (those in forget
// deleted instead); ds[handled], if any, failed with failure; the rest not
// tried. A batch whose context ended (handBack: a shutdown, or its lease
// was lost) hands back what it did not do, costing no attempt. It reports
// what the outcome says of the batch's repository and installation (see
// shares).
func (p *Pool) settle(ctx context.Context, ds []store.Delivery, handled int, failure error, forget []string, start time.Time, handBack, leaseLost bool) (outcome, time.Time) {
	// Bookkeeping must land even if the work context was just cancelled.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if handled > 0 {
		var done []string
		for _, d := range ds[:handled] {
			if slices.Contains(forget, d.ID) {
				if err := p.opts.Queue.Forget(ctx, d.ID); err != nil {
					p.opts.Log.Error("queue: could not forget delivery; it will run again", "delivery", d.ID, "err", err)
					return stopped, time.Time{}
				}
			} else {
				done = append(done, d.ID)
			}
		}
		if err := p.opts.Queue.Complete(ctx, done...); err != nil {
			p.opts.Log.Error("queue: could not mark deliveries done; they will run again", "deliveries", handled,
				"first", ds[0].ID, "err", err)
			return stopped, time.Time{}
		}
		for _, d := range ds[:handled] {
			p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "done").Inc()
		}
		p.opts.Log.Debug("deliveries processed", "deliveries", handled, "first", ds[0].ID, "seconds", time.Since(start).Seconds())
	}
	if handled == len(ds) {
		p.done()
		return succeeded, time.Time{}
	}
	d, rest := ds[handled], ds[handled+1:]
	log := p.opts.Log.With("delivery", d.ID, "event", d.Event, "action", d.Action)
	if errors.Is(failure, context.Canceled) && handBack {
		// Shutting down, or another worker may hold the lane now: not the
		// deliveries' fault, so they go back as they were, costing no
		// attempt.
		err := p.opts.Queue.Release(ctx, ids(ds[handled:])...)
		switch {
		case leaseLost && errors.Is(err, store.ErrNotLeased):
			log.Info("queue: another worker took the batch over", "err", err)
		case err != nil:
			log.Error("queue: could not hand deliveries back; their lease will expire and they will run again", "err", err)
		}
		p.done()
		return stopped, time.Time{}
	}
	if len(rest) > 0 {
		if err := p.opts.Queue.Release(ctx, ids(rest)...); err != nil {
			log.Error("queue: could not hand deliveries back; their lease will expire and they will run again", "err", err)
		}
	}
	permanent, retryAt := p.opts.Classify(failure)
	permanent = permanent || errors.Is(failure, ErrPanic)
	o := failed
	switch {
	case permanent:
		o = succeeded // GitHub answered, or the delivery itself is bad
	case !retryAt.IsZero():
		o = rateLimited
	}
	attempt := d.Attempts + 1
	if permanent || attempt >= p.opts.MaxAttempts {
		if err := p.opts.Queue.Fail(ctx, d.ID, failure.Error()); err != nil {
			log.Error("queue: could not mark delivery failed", "err", err)
			return o, retryAt
		}
		p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "failed").Inc()
		p.opts.Metrics.DeliveriesFailed.WithLabelValues(d.Event).Inc()
		log.Error("delivery failed; kept as failed", "attempts", attempt, "permanent", permanent, "err", failure)
		p.done()
		return o, retryAt
	}
	if retryAt.IsZero() {
		retryAt = time.Now().Add(p.backoff(attempt))
	}
	if err := p.opts.Queue.Retry(ctx, d.ID, retryAt, failure.Error()); err != nil {
		log.Error("queue: could not reschedule delivery; its lease will expire and it will run again", "err", err)
		return o, retryAt
	}
	p.opts.Metrics.DeliveriesProcessed.WithLabelValues(d.Event, "retried").Inc()
	log.Warn("delivery will be retried", "attempt", attempt, "retry_at", retryAt.UTC().Format(time.RFC3339), "err", failure)
	p.done()
	return o, retryAt
}

func ids(ds []store.Delivery) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.ID
	}
	return out
}

// ErrPanic marks a delivery whose handler panicked: a bug, so it is failed
// at once rather than retried, and never takes the process down again at
// the next start.
var ErrPanic = errors.New("handler panicked")

// handle runs the handler on one delivery and turns a panic into a failed
// delivery.
func (p *Pool) handle(ctx context.Context, d store.Delivery) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.opts.Log.Error("handler panicked; the delivery is kept as failed", "delivery", d.ID, "event", d.Event,
				"panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return p.opts.Handle(ctx, d)
}

// runDeferred runs a batch's deferred work and turns a panic into an error.
func (p *Pool) runDeferred(ctx context.Context, fn func(context.Context) error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			p.opts.Log.Error("deferred work panicked", "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
			err = fmt.Errorf("%w: %v", ErrPanic, r)
		}
	}()
	return fn(ctx)
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
