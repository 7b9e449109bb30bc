package history

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
)

var t0 = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

// reported is a budget as GitHub reported it halfway through an hour.
func reported(limit, remaining int) *budget {
	b := &budget{}
	b.note(ghgraphql.RateLimit{Limit: limit, Remaining: remaining, ResetAt: t0.Add(30 * time.Minute)}, t0)
	return b
}

func TestSweepsSpendOnlyTheTopOfAWindow(t *testing.T) {
	for _, c := range []struct {
		limit, remaining, cost int
		wait                   bool
	}{
		{5000, 5000, 3, false},
		{5000, 4003, 3, false}, // exactly the share left
		{5000, 4002, 3, true},  // a backfill spent into it: sweeps wait for the reset
		{5000, 20, 3, true},    // GitHub would answer, but the rest is the backfills'
		{100, 83, 3, false},    // a small limit, as GitHub Enterprise Server may set
		{100, 82, 3, true},
	} {
		b := reported(c.limit, c.remaining)
		got := b.sweepWait(t0, DefaultSweepShare, c.cost)
		if c.wait != !got.IsZero() || c.wait && !got.Equal(t0.Add(30*time.Minute)) {
			t.Errorf("limit %d, remaining %d: a sweep query of %d waits until %v", c.limit, c.remaining, c.cost, got)
		}
	}
	// After the reset GitHub has not reported on yet, the window is whole.
	if got := reported(5000, 1).sweepWait(t0.Add(31*time.Minute), DefaultSweepShare, 3); !got.IsZero() {
		t.Errorf("after the reset a sweep waits until %v", got)
	}
}

func TestNoSweepWhileTheInstallationWaits(t *testing.T) {
	b := reported(5000, 5000)
	b.waitUntil = t0.Add(time.Minute)
	if got := b.sweepWait(t0, DefaultSweepShare, 3); !got.Equal(b.waitUntil) {
		t.Errorf("a sweep waits until %v, want %v", got, b.waitUntil)
	}
	if got := b.refill(t0, time.Minute, DefaultSweepShare); got != 0 {
		t.Errorf("credit %v while the installation waits", got)
	}
}

// The room left is spread evenly over the rest of the window.
func TestRefillSpreadsTheShareOverTheWindow(t *testing.T) {
	b := &budget{} // nothing reported yet: 5,000 points an hour
	tick := 150 * time.Second
	if got, want := b.refill(t0, tick, DefaultSweepShare), 1000.0*150/3600; got != want {
		t.Errorf("first tick: credit %v, want %v", got, want)
	}
	// Unspent credit is not saved up beyond a tick's worth.
	if got, want := b.refill(t0, tick, DefaultSweepShare), 1000.0*150/3600; got != want {
		t.Errorf("second tick: credit %v, want %v", got, want)
	}
	// Half the window left, half the share spent: the same pace.
	b = reported(5000, 4500)
	if got, want := b.refill(t0, tick, DefaultSweepShare), 500.0*150/1800; got != want {
		t.Errorf("halfway: credit %v, want %v", got, want)
	}
	// A limit of 200 an hour gives 1.7 points a tick: credit adds up to
	// one sweep.
	b = &budget{}
	b.note(ghgraphql.RateLimit{Limit: 200, Remaining: 200, ResetAt: t0.Add(time.Hour)}, t0)
	ticks := 1
	for b.refill(t0, tick, DefaultSweepShare) < minSweepCost && ticks < 10 {
		ticks++
	}
	if ticks != 2 {
		t.Errorf("a sweep of 3 points affordable after %d ticks of 1.7 points, want 2", ticks)
	}
}

func TestPaceGrowsWithTheRepositories(t *testing.T) {
	every := 10 * time.Minute
	for _, c := range []struct {
		limit, repos int
		want         time.Duration
	}{
		{5000, 50, every},
		{5000, 400, 72 * time.Minute},
		{5000, 8000, 24 * time.Hour},
		{1000, 400, 6 * time.Hour},
	} {
		b := &budget{}
		b.note(ghgraphql.RateLimit{Limit: c.limit, Remaining: c.limit, ResetAt: t0.Add(time.Hour)}, t0)
		if got := b.pace(c.repos, DefaultSweepShare, every); got.Round(time.Second) != c.want {
			t.Errorf("%d repositories, limit %d: each swept every %v, want %v", c.repos, c.limit, got, c.want)
		}
	}
}

// GitHub Enterprise Server with rate limiting off (its default) answers
// rateLimit: null: sweeps keep to SweepEvery, never wait for a share.
func TestWithoutARateLimitSweepsAreNotPaced(t *testing.T) {
	b := &budget{}
	b.note(ghgraphql.RateLimit{}, t0)
	if got := b.sweepWait(t0, DefaultSweepShare, 3); !got.IsZero() {
		t.Errorf("a sweep waits until %v", got)
	}
	if got := b.refill(t0, time.Minute, DefaultSweepShare); got < 1e9 {
		t.Errorf("credit %v", got)
	}
	if got := b.pace(100000, DefaultSweepShare, 10*time.Minute); got != 10*time.Minute {
		t.Errorf("each repository swept every %v", got)
	}
}

// An operator reads in the log when an installation's repositories are
// swept less often than every ten minutes, and is warned when not daily.
func TestThePaceIsLoggedWhenItChanges(t *testing.T) {
	var out bytes.Buffer
	h := New(Options{Log: slog.New(slog.NewTextHandler(&out, nil)), Now: func() time.Time { return t0 }})
	b := h.budgetOf(1)
	b.note(ghgraphql.RateLimit{Limit: 5000, Remaining: 5000, ResetAt: t0.Add(time.Hour)}, t0)
	for _, c := range []struct {
		repos int
		want  string
	}{
		{50, ""},
		{400, `level=INFO msg="sweeps paced to the share of GitHub's GraphQL limit" installation=1 repositories=400 graphql_limit=5000 sweep_share=0.2 points_a_sweep=3 each_repository_every=1h12m0s`},
		{410, ""}, // about the same pace: said already
		{9000, `level=WARN msg="sweeps paced to the share of GitHub's GraphQL limit cannot compare each repository daily; the least recently swept go first" installation=1 repositories=9000`},
		{40, `level=INFO msg="sweeps back to their usual pace" installation=1 repositories=40`},
	} {
		out.Reset()
		h.logPace(1, b, c.repos)
		if got := out.String(); c.want == "" && got != "" || !strings.Contains(got, c.want) {
			t.Errorf("%d repositories: logged %q, want %q", c.repos, got, c.want)
		}
	}
}
