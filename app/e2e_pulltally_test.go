package app_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
)

// discussionLine is the discussion summary of the bot's one comment on a
// pull request of acme/web.
func discussionLine(t *testing.T, h *apptest.Harness, number int) string {
	t.Helper()
	got := h.Sim.BotComments("acme/web", number)
	if len(got) != 1 {
		t.Fatalf("pull request %d has %d bot comments, want 1", number, len(got))
	}
	for _, line := range strings.Split(got[0].Body, "\n") {
		if strings.Contains(line, "review comment") {
			return strings.TrimSpace(line)
		}
	}
	t.Fatalf("the bot comment on pull request %d has no discussion summary:\n%s", number, got[0].Body)
	return ""
}

// A pull request's discussion read from history counts as if its comments
// had come as events: pull request 1 is read by backfills, its twin 2 gets
// the same comments live, and both must show and observe the same.
func TestABackfilledPullRequestsDiscussionCountsAsIfItCameLive(t *testing.T) {
	t.Run("SQLite", func(t *testing.T) { backfilledDiscussionCountsAsLive(t, "") })
	t.Run("PostgreSQL", func(t *testing.T) { backfilledDiscussionCountsAsLive(t, pgtest.Database(t)) })
}

func backfilledDiscussionCountsAsLive(t *testing.T, databaseURL string) {
	const title = "Move export code"
	h := apptest.Start(t, apptest.Options{DatabaseURL: databaseURL, Setup: func(sim *githubsim.Sim) {
		if _, err := sim.Seed("acme/web", githubsim.Seed{Author: "alice", Title: title, Body: bareBody, Pull: true, Age: time.Hour,
			Comments: []githubsim.SeedComment{{Author: "bob", Body: productComment}, {Author: "bob", Body: nitComment}},
			Reviews: []githubsim.SeedReview{{Author: "bob", Body: productComment,
				Comments: []githubsim.SeedComment{{Author: "bob", Body: nitComment}}}},
		}); err != nil {
			t.Fatal(err)
		}
	}})
	h.Idle()
	const backfilled = 1
	live, d, err := h.Sim.OpenPullRequest("alice", "acme/web", githubsim.PullInput{Title: title, Body: bareBody})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("bob", "acme/web", live, productComment)
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("bob", "acme/web", live, nitComment)
	h.Accepted(d, err)
	_, d, err = h.Sim.SubmitReview("bob", "acme/web", live, githubsim.ReviewInput{Body: productComment,
		Comments: []githubsim.ReviewCommentInput{{Path: "main.go", Line: 1, Body: nitComment}}})
	h.Accepted(d, err)
	h.Idle()

	// The next event on each shows the discussion so far.
	nextEvent := func() {
		t.Helper()
		for _, n := range []int{backfilled, live} {
			_, d, err := h.Sim.AddComment("bob", "acme/web", n, nitComment)
			h.Accepted(d, err)
		}
		h.Idle()
	}
	same := func(when, want string) {
		t.Helper()
		got, ref := discussionLine(t, h, backfilled), discussionLine(t, h, live)
		if got != ref || !strings.HasPrefix(ref, want) {
			t.Fatalf("%s: the backfilled pull request says %q, the one whose comments came live %q; want both to start %q", when, got, ref, want)
		}
	}
	nextEvent()
	same("after the backfill at install", "2 of 5 review comments raised product-level concerns")

	// GitHub never sends the backfilled one's next comment; reading its
	// history again (the backfill command, a repository added again)
	// finds it.
	if err := h.Sim.Unsent(func() error {
		_, _, err := h.Sim.AddComment("bob", "acme/web", backfilled, productComment)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, d, err = h.Sim.AddComment("bob", "acme/web", live, productComment)
	h.Accepted(d, err)
	h.Idle()
	backfill := func() {
		t.Helper()
		if _, err := h.App.History().Start(context.Background(), h.Sim.Installation("acme"), "acme/web"); err != nil {
			t.Fatal(err)
		}
		h.Idle()
	}
	backfill()
	nextEvent()
	same("after a backfill read a comment whose event never came", "3 of 7 review comments raised product-level concerns")

	// Reading the same history again counts nothing twice.
	backfill()
	nextEvent()
	same("after the same history was read again", "3 of 8 review comments raised product-level concerns")

	engineers := func(level string) float64 {
		return h.Counter("ownershipbot_comments", map[string]string{"repository": "acme/web", "thread": "pull_request", "author_role": "engineer", "level": level})
	}
	if p, i := engineers("product"), engineers("implementation"); p != 6 || i != 10 {
		t.Errorf("engineers' pull-request comments: product %v, implementation %v; want 6, 10", p, i)
	}
	// Merging observes each pull request's review comments once, by level.
	for _, n := range []int{backfilled, live} {
		h.Accepted(h.Sim.MergePullRequest("alice", "acme/web", n))
	}
	h.Idle()
	if p, i := reviewCommentSum(h, "product"),
		reviewCommentSum(h, "implementation"); p != 6 || i != 10 {
		t.Errorf("review comments observed at merge: product %v, implementation %v; want 6, 10 (3 and 5 a pull request)", p, i)
	}
}

// The sweep's repair of a pull request counts the comments whose events
// never came, as the events would have.
func TestTheSweepCountsAPullRequestCommentWhoseEventNeverCame(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenPullRequest("alice", "acme/web", githubsim.PullInput{Title: "Move export code", Body: bareBody})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("bob", "acme/web", n, nitComment)
	h.Accepted(d, err)
	h.Idle()
	if err := h.Sim.Unsent(func() error {
		_, _, err := h.Sim.AddComment("bob", "acme/web", n, productComment)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	sweep(t, h, "acme/web")
	if got := h.Counter("ownershipbot_drift_repairs_total", map[string]string{"thread": "pull_request"}); got != 1 {
		t.Errorf("ownershipbot_drift_repairs_total{thread=pull_request} = %v, want 1", got)
	}
	if got, want := discussionLine(t, h, n), "1 of 2 review comments raised product-level concerns"; !strings.HasPrefix(got, want) {
		t.Errorf("after the sweep the bot comment says %q, want it to start %q", got, want)
	}
	h.Accepted(h.Sim.MergePullRequest("alice", "acme/web", n))
	h.Idle()
	if p, i := reviewCommentSum(h, "product"),
		reviewCommentSum(h, "implementation"); p != 1 || i != 1 {
		t.Errorf("review comments observed at merge: product %v, implementation %v; want 1, 1", p, i)
	}
}

// beforeFirst runs hook before the first request whose path ends with
// suffix goes on to GitHub; later ones go on at once.
type beforeFirst struct {
	suffix string
	hook   func()
	done   atomic.Bool
}

func (b *beforeFirst) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasSuffix(req.URL.Path, b.suffix) && b.done.CompareAndSwap(false, true) {
		b.hook()
	}
	return http.DefaultTransport.RoundTrip(req)
}

// A pull request's own event may store it while a backfill reads it: the
// backfill's comments then count in the discussion its events keep.
func TestCommentsABackfillReadCountWhenThePullRequestsOwnEventStoredItMeanwhile(t *testing.T) {
	var sim *githubsim.Sim
	const issue, pull = 1, 2
	// The backfill reads the issue the pull request links (closed before
	// the backfill's cut-off) from GitHub; meanwhile a comment's event
	// stores the pull request.
	transport := &beforeFirst{suffix: fmt.Sprintf("/repos/acme/web/issues/%d", issue), hook: func() {
		if _, _, err := sim.AddComment("bob", "acme/web", pull, nitComment); err != nil {
			t.Error(err)
			return
		}
		for deadline := time.Now().Add(10 * time.Second); len(sim.BotComments("acme/web", pull)) == 0; time.Sleep(10 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Error("the comment's event was not handled while the backfill read the pull request")
				return
			}
		}
	}}
	h := apptest.Start(t, apptest.Options{Transport: transport, Setup: func(s *githubsim.Sim) {
		sim = s
		if _, err := s.Seed("acme/web",
			githubsim.Seed{Author: "bob", Title: "Export", Body: bareBody, Age: 400 * 24 * time.Hour, ClosedAge: 399 * 24 * time.Hour},
			githubsim.Seed{Author: "alice", Title: "Move export code", Body: fmt.Sprintf("Fixes #%d", issue), Pull: true, Age: time.Hour,
				Comments: []githubsim.SeedComment{{Author: "bob", Body: productComment}}},
		); err != nil {
			t.Fatal(err)
		}
	}})
	h.Idle()
	if got, want := discussionLine(t, h, pull), "1 of 2 review comments raised product-level concerns"; !strings.HasPrefix(got, want) {
		t.Errorf("the bot comment says %q, want it to start %q", got, want)
	}
}

// reviewCommentSum is the review comments of one level counted over every
// merged pull request.
func reviewCommentSum(h *apptest.Harness, level string) float64 {
	_, sum := h.Histogram("ownershipbot_pull_request_review_comments", map[string]string{"level": level})
	return sum
}
