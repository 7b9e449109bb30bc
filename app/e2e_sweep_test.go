package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// sweepQuery tells a sweep's query from a backfill's: a sweep asks for
// what changed in any state (no states), a backfill for open or closed
// threads. It returns the repository and whether it is the sweep's last
// page, of pull requests.
func sweepQuery(q githubsim.GraphQLRequest) (repo string, pulls, ok bool) {
	if q.Operation != "Issues" && q.Operation != "PullRequests" || q.Variables["states"] != nil {
		return "", false, false
	}
	owner, _ := q.Variables["owner"].(string)
	name, _ := q.Variables["name"].(string)
	return strings.ToLower(owner + "/" + name), q.Operation == "PullRequests", true
}

// eventually polls cond until it holds, failing the test after limit: a
// deadline for a test that would otherwise hang, not a speed asserted.
func eventually(t *testing.T, limit time.Duration, what string, cond func() bool) time.Time {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("still not %s after %s", what, limit)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return time.Now()
}

func backfills(t *testing.T, h *apptest.Harness) []store.Backfill {
	t.Helper()
	all, err := h.Store.Backfills(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	return all
}

// An org of 400 repositories: sweeping each every ten minutes at 3 points
// would cost 7,200 points an hour, more than GitHub's 5,000 for the whole
// installation. The sweeps keep to a fifth of each rate-limit window, so
// the backfill reading the 400 repositories gets the rest; every repository
// is still swept, the least recently swept first; and an edit GitHub never
// sent is repaired. The windows are seconds long here, and a repository
// may be swept again after 600 ms, so sweeps want far more than their share.
func TestAnInstallationOf400RepositoriesSweepsEachWithinAFifthOfItsGraphQLLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("reads and sweeps 400 repositories")
	}
	const repos, limit = 400, 5000
	const share = limit / 5
	const window = 3 * time.Second
	h := apptest.Start(t, apptest.Options{
		SimOptions: githubsim.Options{GraphQLRateLimit: limit, RateWindow: window},
		SweepEvery: 600 * time.Millisecond,
		Setup: func(sim *githubsim.Sim) {
			for i := 1; i < repos; i++ {
				if err := sim.AddRepository(fmt.Sprintf("acme/r%03d", i), githubsim.RepoOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := sim.Seed("acme/web", githubsim.Seed{Author: "bob", Title: "Checkout fails", Body: bareBody}); err != nil {
				t.Fatal(err)
			}
		},
	})
	read := eventually(t, 3*time.Minute, "every repository's history read", func() bool {
		all := backfills(t, h)
		for _, b := range all {
			if !b.Done() {
				return false
			}
		}
		return len(all) == repos
	})
	afterBackfill := len(h.Sim.GraphQLRequests())

	// GitHub never sends the edit that names the issue's owner.
	if err := h.Sim.Unsent(func() error {
		_, err := h.Sim.EditIssueBody("bob", "acme/web", 1, "Owner: @bob\n\n"+bareBody)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 3*time.Minute, "every repository swept since its history was read", func() bool {
		for _, b := range backfills(t, h) {
			if !b.SweptAt.After(read) {
				return false
			}
		}
		return true
	})
	eventually(t, time.Minute, "the missed edit repaired", func() bool {
		th, ok, err := h.Store.Thread(context.Background(), "acme/web", 1)
		return err == nil && ok && th.Owner == "@bob"
	})
	if got := h.Counter("ownershipbot_drift_repairs_total", map[string]string{"thread": "issue"}); got != 1 {
		t.Errorf("ownershipbot_drift_repairs_total = %v, want 1", got)
	}

	queries := h.Sim.GraphQLRequests()
	sweptIn := sweepPointsByWindow(t, queries)
	most := 0
	for w, points := range sweptIn {
		if points > share {
			t.Errorf("sweeps spent %d points of the window ending %s, more than a fifth of %d", points, w.Format(time.StampMilli), limit)
		}
		most = max(most, points)
	}
	waits, bad := sweptWhileABackfillWaited(queries)
	for _, q := range bad {
		t.Errorf("%s was swept while a backfill waited for the rate limit", q)
	}

	// Least recently swept first: once every history is read, no
	// repository is swept twice before every one was swept once.
	once := map[string]bool{}
	for _, q := range queries[afterBackfill:] {
		repo, pulls, ok := sweepQuery(q)
		if !ok || !pulls {
			continue
		}
		if once[repo] && len(once) < repos {
			t.Fatalf("%s swept again when only %d of %d repositories had been swept", repo, len(once), repos)
		}
		once[repo] = true
	}
	if len(once) != repos {
		t.Errorf("%d of %d repositories swept after the backfill", len(once), repos)
	}

	// What sweeping costs a repository: at most a fifth of the limit,
	// shared by every repository, a window; on GitHub a window is an hour.
	t.Logf("sweeps spent at most %d points of a window (their share %d of %d; the backfill waited in %d windows): %.2f points a window per repository; %d repositories swept in %d windows",
		most, share, limit, waits, float64(most)/repos, repos, len(sweptIn))
}

// A backfill that must wait for the window's reset (a page of 100 pull
// requests costs 24 points, and a window here has 30) is not overtaken by
// the sweeps of the installation's other repository, which are due every
// 200 ms: none is sent until the backfill goes on, and the sweeps spend no
// more than a fifth of any window. Once the backfill is done, sweeps go on.
func TestNoSweepRunsWhileABackfillOfItsInstallationWaitsForTheRateLimit(t *testing.T) {
	const limit = 30
	h := apptest.Start(t, apptest.Options{
		SimOptions: githubsim.Options{GraphQLRateLimit: limit, RateWindow: time.Second},
		SweepEvery: 200 * time.Millisecond,
		Setup:      func(sim *githubsim.Sim) { seedOrg(t, sim, 3, 1) },
	})
	ctx := context.Background()
	eventually(t, time.Minute, "acme/web read and swept", func() bool {
		b, ok, err := h.Store.Backfill(ctx, "acme/web")
		return err == nil && ok && b.Done() && !b.SweptAt.IsZero()
	})
	if err := h.Sim.AddRepository("acme/api", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.Sim.Seed("acme/api", githubsim.Seed{Author: "bob", Title: "Slow", Body: bareBody}); err != nil {
		t.Fatal(err)
	}
	before := len(h.Sim.GraphQLRequests())
	h.Accepted(h.Sim.AddInstallationRepositories("alice", "acme", "acme/api"))
	var read time.Time
	eventually(t, time.Minute, "acme/api read", func() bool {
		b, ok, err := h.Store.Backfill(ctx, "acme/api")
		read = b.FinishedAt
		return err == nil && ok && b.Done()
	})
	eventually(t, time.Minute, "acme/web swept after the backfill", func() bool {
		b, _, err := h.Store.Backfill(ctx, "acme/web")
		return err == nil && b.SweptAt.After(read)
	})

	queries := h.Sim.GraphQLRequests()[before:]
	waits, bad := sweptWhileABackfillWaited(queries)
	if waits == 0 {
		t.Fatal("the backfill of acme/api never waited for the rate limit")
	}
	for _, q := range bad {
		t.Errorf("%s was swept while the backfill of acme/api waited for the rate limit", q)
	}
	for w, points := range sweepPointsByWindow(t, queries) {
		if points > limit/5 {
			t.Errorf("sweeps spent %d points of the window ending %s, more than a fifth of %d", points, w.Format(time.StampMilli), limit)
		}
	}
}

// backfillQuery tells a backfill's page or count from a sweep's query and
// from the reading of one thread (a repair).
func backfillQuery(q githubsim.GraphQLRequest) bool {
	if _, _, sweep := sweepQuery(q); sweep {
		return false
	}
	return q.Operation == "RepositoryCounts" || q.Operation == "Issues" || q.Operation == "PullRequests"
}

// sweptWhileABackfillWaited finds, in queries of one installation, the
// windows in which a backfill had to wait for the reset (what was left
// after its last query there could not pay for its next one), and returns
// how many there were and the sweep queries sent in them after that last
// backfill query.
func sweptWhileABackfillWaited(queries []githubsim.GraphQLRequest) (waits int, bad []string) {
	last := -1 // the backfill query before
	for i, q := range queries {
		if !backfillQuery(q) {
			continue
		}
		if last >= 0 {
			prev := queries[last]
			if prev.ResetAt != q.ResetAt && prev.Remaining < q.Cost {
				waits++
				for _, s := range queries[last+1 : i] {
					if repo, _, ok := sweepQuery(s); ok && s.ResetAt.Equal(prev.ResetAt) {
						bad = append(bad, repo)
					}
				}
			}
		}
		last = i
	}
	return waits, bad
}

// sweepPointsByWindow sums the sweeps' points by rate-limit window, and
// fails the test on any query GitHub refused.
func sweepPointsByWindow(t *testing.T, queries []githubsim.GraphQLRequest) map[time.Time]int {
	t.Helper()
	out := map[time.Time]int{}
	for _, q := range queries {
		if q.Refused != "" || q.Invalid != "" {
			t.Fatalf("GitHub refused a query: %s%s (remaining %d)", q.Refused, q.Invalid, q.Remaining)
		}
		if _, _, ok := sweepQuery(q); ok {
			out[q.ResetAt] += q.Cost
		}
	}
	return out
}
