package dispatch

import (
	"slices"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// shares keeps one repository or installation from holding every worker:
// each may hold at most its share of the workers at a time, so that when
// its GitHub calls are slow the others' deliveries still find a worker. A
// repository whose batches keep failing for passing reasons (GitHub
// answering 502, timing out) in different issues is paused, with a growing
// pause, and then tried one batch at a time until one succeeds; an
// installation that GitHub rate-limits is paused until the limit resets.
// Paused work is not claimed at all, so it spends no attempts and no CPU
// while it waits, and never stands in the way of the rest.
//
// The scheduler's claims skip what is at its share or paused. All of it is
// guarded by the pool's mutex.
type shares struct {
	repoShare, installationShare int
	tripAfter                    int           // failing issues in a row that pause a repository
	firstPause, maxPause         time.Duration // the pause, doubled at each trip in a row

	repos         map[string]*repoState
	installations map[int64]*installationState
}

type repoState struct {
	inFlight    int
	failedLanes []string // issues whose batches failed in a row, without a success since
	pausedUntil time.Time
	pause       time.Duration // the last pause, doubled at the next trip
}

type installationState struct {
	inFlight    int
	pausedUntil time.Time
}

func newShares(opts PoolOptions) *shares {
	return &shares{
		repoShare: opts.RepoShare, installationShare: opts.InstallationShare,
		tripAfter: 3, firstPause: opts.RetryBase, maxPause: min(opts.RetryMax, time.Minute),
		repos: map[string]*repoState{}, installations: map[int64]*installationState{},
	}
}

func (s *shares) repo(name string) *repoState {
	r, ok := s.repos[name]
	if !ok {
		r = &repoState{}
		s.repos[name] = r
	}
	return r
}

func (s *shares) installation(id int64) *installationState {
	in, ok := s.installations[id]
	if !ok {
		in = &installationState{}
		s.installations[id] = in
	}
	return in
}

// skip lists what a claim must leave alone now, and when the earliest pause
// ends (zero if none).
func (s *shares) skip(now time.Time) (repos []string, installations []int64, pauseEnds time.Time) {
	for name, r := range s.repos {
		if s.holdsBack(name, now) {
			repos = append(repos, name)
		}
		if r.pausedUntil.After(now) {
			pauseEnds = earliest(pauseEnds, r.pausedUntil)
		}
	}
	for id, in := range s.installations {
		switch {
		case in.pausedUntil.After(now):
			installations = append(installations, id)
			pauseEnds = earliest(pauseEnds, in.pausedUntil)
		case in.inFlight >= s.installationShare:
			installations = append(installations, id)
		}
	}
	slices.Sort(repos)
	slices.Sort(installations)
	return repos, installations, pauseEnds
}

// holdsBack reports whether a claim would skip a repository now: it is
// paused, or holds its share of the workers (after a pause, one batch at a
// time until one succeeds).
func (s *shares) holdsBack(repo string, now time.Time) bool {
	r, ok := s.repos[repo]
	if !ok {
		return false
	}
	limit := s.repoShare
	if len(r.failedLanes) >= s.tripAfter {
		limit = 1
	}
	return r.pausedUntil.After(now) || r.inFlight >= limit
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || b.Before(a) {
		return b
	}
	return a
}

// take counts a batch as held.
func (s *shares) take(d store.Delivery) {
	s.repo(d.Repo()).inFlight++
	s.installation(d.InstallationID).inFlight++
}

// outcome of a batch, for shares.
type outcome int

const (
	succeeded   outcome = iota // GitHub answered, whatever it said
	failed                     // a passing failure: 5xx, a timeout, a network error
	rateLimited                // GitHub asked to wait until a time
	stopped                    // handed back at shutdown: says nothing of GitHub
)

// settle counts a batch as no longer held and learns from its outcome.
func (s *shares) settle(d store.Delivery, o outcome, retryAt, now time.Time) {
	r, in := s.repo(d.Repo()), s.installation(d.InstallationID)
	r.inFlight--
	in.inFlight--
	switch o {
	case succeeded:
		r.failedLanes, r.pause = nil, 0
	case failed:
		if len(r.failedLanes) < s.tripAfter && !slices.Contains(r.failedLanes, d.OrderKey) {
			r.failedLanes = append(r.failedLanes, d.OrderKey)
		}
		if len(r.failedLanes) >= s.tripAfter && !r.pausedUntil.After(now) {
			r.pause = min(max(2*r.pause, s.firstPause), s.maxPause)
			r.pausedUntil = now.Add(r.pause)
		}
	case rateLimited:
		if retryAt.After(in.pausedUntil) {
			in.pausedUntil = retryAt
		}
	}
	// Forget what has nothing left to say.
	if r.inFlight == 0 && len(r.failedLanes) == 0 && !r.pausedUntil.After(now) {
		delete(s.repos, d.Repo())
	}
	if in.inFlight == 0 && !in.pausedUntil.After(now) {
		delete(s.installations, d.InstallationID)
	}
}
