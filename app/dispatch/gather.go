package dispatch

import "time"

// burstPeriod is how many Gathers arrivals counts over.
const burstPeriod = 4

// arrivals tells whether deliveries arrive in bursts on the same issues, by
// counting, over periods of burstPeriod Gathers, the deliveries stored and
// the lanes they went to. The period is longer than Gather so that workers
// that keep up, taking each delivery as it comes, still see the bursts
// they are splitting.
//
// Waiting before a claim pays only then. A batch costs one claim, one
// bot-comment write and one completion whatever its size, so taking each
// delivery of a burst as it came would spend on those the CPU that
// acknowledging webhooks needs; waiting while deliveries go to different
// issues (a bulk relabel) gathers nothing and only idles the workers.
type arrivals struct {
	period time.Duration       // counted over; none: gathering is off and nothing is kept
	start  time.Time           // of the period being counted
	stored int                 // deliveries stored in it
	lanes  map[string]struct{} // the order keys they went to
	alone  int                 // deliveries without one, each a lane of its own
	burst  bool                // the period before was bursty
}

// add counts a delivery stored at now.
func (a *arrivals) add(orderKey string, now time.Time) {
	if a.period <= 0 {
		return
	}
	a.roll(now)
	a.stored++
	if orderKey == "" {
		a.alone++
		return
	}
	if a.lanes == nil {
		a.lanes = map[string]struct{}{}
	}
	a.lanes[orderKey] = struct{}{}
}

// bursts reports whether, in the last whole period, the deliveries stored
// went two or more to a lane on average.
func (a *arrivals) bursts(now time.Time) bool {
	a.roll(now)
	return a.burst
}

// roll closes the period being counted once it is over. When it ended
// more than a period ago, the whole period before now stored nothing, and
// was no burst.
func (a *arrivals) roll(now time.Time) {
	if a.period <= 0 || now.Sub(a.start) < a.period {
		return
	}
	a.burst = now.Sub(a.start) < 2*a.period && a.stored > 0 && a.stored >= 2*(len(a.lanes)+a.alone)
	a.start, a.stored, a.alone = now, 0, 0
	clear(a.lanes)
}
