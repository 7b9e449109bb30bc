package history

import (
	"fmt"
	"math"
	"time"

	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
)

// The drift sweep is paced to each installation's GraphQL budget rather than
// run at a fixed pace for every repository: at three points a sweep, a sweep
// of every repository every ten minutes would spend the whole of GitHub's
// 5,000 points an hour on an installation of 278 repositories, and leave
// nothing to the backfills. Sweeps spend only the top SweepShare of each
// rate-limit window (what is left above the floor): whatever else the
// installation spent in the window counts first, so backfills and repairs
// come before sweeps and sweeps never spend more than their share. That room
// is spread over the time left in the window, one tick of the run loop at a
// time, to the least recently swept repositories first; with many
// repositories each is swept less often than SweepEvery.

const (
	// GitHub's GraphQL limit for an App's installation on github.com,
	// assumed until GitHub reports one (rateLimit { limit resetAt }).
	defaultGraphQLLimit  = 5000
	defaultGraphQLWindow = time.Hour
	// DefaultSweepShare is the part of each window's points sweeps may
	// spend.
	DefaultSweepShare = 0.2
)

// minSweepCost is what a sweep where nothing changed costs: a page of
// changed issues and one of changed pull requests.
var minSweepCost = float64(pageCost(phaseChangedIssues) + pageCost(phaseChangedPulls))

// budget is what History knows of one installation's GraphQL rate limit,
// and how that installation's sweeps are paced to it.
type budget struct {
	rate ghgraphql.RateLimit // as GitHub reported after the last query
	// window is the longest time to a reset GitHub has reported: the
	// length of a window, which GitHub does not report itself.
	window time.Duration
	// waitUntil is when GitHub allows the installation's queries again,
	// after it refused one or a backfill paused to stay inside the limit.
	waitUntil time.Time
	// unlimited is GitHub answering with no rateLimit (null): GitHub
	// Enterprise Server with rate limiting off, as it is by default.
	unlimited bool
	sweepCost float64 // points a sweep costs, on average; 0 before one was measured
	credit    float64 // points sweeps may be queued for now
	// every is the pace last logged: how often each repository is swept.
	every time.Duration
}

// note records what GitHub reported after a query.
func (b *budget) note(rl ghgraphql.RateLimit, now time.Time) {
	b.rate, b.unlimited = rl, rl.ResetAt.IsZero()
	if left := rl.ResetAt.Sub(now); left > b.window {
		b.window = left
	}
}

// limit is the points of a window: GitHub's figure, once it reported one.
func (b *budget) limit() float64 {
	if b.rate.Limit > 0 {
		return float64(b.rate.Limit)
	}
	return float64(max(defaultGraphQLLimit, b.rate.Remaining))
}

func (b *budget) windowLength() time.Duration {
	if b.window > 0 {
		return b.window
	}
	return defaultGraphQLWindow
}

// current reports whether the window GitHub last reported has not reset.
func (b *budget) current(now time.Time) bool { return b.rate.ResetAt.After(now) }

// cost is what a sweep is expected to cost.
func (b *budget) cost() float64 { return max(b.sweepCost, minSweepCost) }

// swept records what a finished sweep cost.
func (b *budget) swept(points int) {
	if b.sweepCost == 0 {
		b.sweepCost = float64(points)
		return
	}
	b.sweepCost = 0.8*b.sweepCost + 0.2*float64(points)
}

// sweepRoom is what sweeps may still spend of the current window (negative
// when others spent into the share) and the time until it resets. After a
// reset GitHub has not reported on yet, the window is whole.
func (b *budget) sweepRoom(now time.Time, share float64) (points float64, left time.Duration) {
	if !b.current(now) {
		return share * b.limit(), b.windowLength()
	}
	return float64(b.rate.Remaining) - (1-share)*b.limit(), b.rate.ResetAt.Sub(now)
}

// sweepWait is when a sweep's query of cost points may be sent: now (zero),
// or when GitHub allows the installation's queries again, or when the window
// resets if the query would spend below the sweeps' floor.
func (b *budget) sweepWait(now time.Time, share float64, cost int) time.Time {
	if b.waitUntil.After(now) {
		return b.waitUntil
	}
	if room, _ := b.sweepRoom(now, share); !b.unlimited && b.current(now) && room < float64(cost) {
		return b.rate.ResetAt
	}
	return time.Time{}
}

// refill adds what one tick of the run loop may spend on sweeps, the room
// left spread evenly over the time left in the window, and returns the
// credit. Credit is not saved beyond a tick's worth, so sweeps stay spread
// out, except to afford one sweep on a small limit.
func (b *budget) refill(now time.Time, tick time.Duration, share float64) float64 {
	room, left := b.sweepRoom(now, share)
	if b.waitUntil.After(now) || room <= 0 && !b.unlimited {
		b.credit = 0
		return 0
	}
	if b.unlimited {
		b.credit = math.Inf(1)
		return b.credit
	}
	add := room
	if left > tick {
		add = room * float64(tick) / float64(left)
	}
	b.credit = min(b.credit+add, max(add, b.cost()), room)
	return b.credit
}

// pace is how often each of n repositories can be swept within the share
// of a window, and never more often than every.
func (b *budget) pace(n int, share float64, every time.Duration) time.Duration {
	perWindow := share * b.limit() / b.cost() // sweeps a window affords
	if perWindow <= 0 || b.unlimited {
		return every
	}
	return max(every, time.Duration(float64(n)/perWindow*float64(b.windowLength())))
}

// budgetOf returns an installation's budget; h.mu is held.
func (h *History) budgetOf(installationID int64) *budget {
	b := h.budget[installationID]
	if b == nil {
		b = &budget{}
		h.budget[installationID] = b
	}
	return b
}

// noteRate records what GitHub reported of an installation's limit.
func (h *History) noteRate(installationID int64, rl ghgraphql.RateLimit) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.budgetOf(installationID).note(rl, h.opts.Now())
}

// waitFor records that an installation's queries wait until a time: GitHub
// refused one, or a backfill paused to stay inside the limit. No sweep of
// the installation runs meanwhile.
func (h *History) waitFor(installationID int64, until time.Time) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if b := h.budgetOf(installationID); until.After(b.waitUntil) {
		b.waitUntil = until
	}
}

// SweepDeferred is a sweep put off, not failed: the sweeps' share of the
// window is spent, or the installation's queries wait for GitHub's limit.
// The repository stays the least recently swept, so it comes first later.
type SweepDeferred struct {
	Until  time.Time
	Reason string
}

func (e *SweepDeferred) Error() string {
	return fmt.Sprintf("sweep put off until %s: %s", e.Until.UTC().Format(time.RFC3339), e.Reason)
}

// sweepMay returns nil when a sweep's query of cost points may be sent now.
func (h *History) sweepMay(installationID int64, cost int) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	now := h.opts.Now()
	b := h.budgetOf(installationID)
	until := b.sweepWait(now, h.opts.SweepShare, cost)
	switch {
	case until.IsZero():
		return nil
	case b.waitUntil.After(now):
		return &SweepDeferred{Until: until, Reason: "the installation's reading waits for GitHub's GraphQL rate limit"}
	default:
		return &SweepDeferred{Until: until, Reason: "the sweeps' share of GitHub's GraphQL rate limit is spent for this window"}
	}
}
