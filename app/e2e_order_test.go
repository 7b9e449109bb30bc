package app_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// worldClock is the simulated GitHub's clock, moved on by the test, so that
// each change gets its own updated_at (GitHub's are whole seconds).
type worldClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *worldClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *worldClock) Advance() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Minute)
}

// lateDelivery makes the change act does while the App cannot be reached, so
// that its delivery fails and can be redelivered later, after newer ones: the
// order GitHub does not promise to keep.
func lateDelivery(t *testing.T, h *apptest.Harness, act func() (githubsim.Delivery, error)) githubsim.Delivery {
	t.Helper()
	h.Sim.SetWebhook("http://127.0.0.1:1/webhook", apptest.Secret) // nothing listens there
	d, _ := act()
	h.Sim.SetWebhook(h.URL+"/webhook", apptest.Secret)
	if d.Status != 0 || d.ID == "" {
		t.Fatalf("the delivery to be redelivered late reached the App: status %d", d.Status)
	}
	return d
}

const ownerOnlyBody = "Owner: @bob\n\nThe export button does nothing."

func TestAnOlderIssueSnapshotDeliveredLateChangesNothing(t *testing.T) {
	clock := &worldClock{now: time.Now().UTC().Truncate(time.Second)}
	h := apptest.Start(t, apptest.Options{SimNow: clock.Now})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()

	// The author gives an owner and a reason, then takes the reason out
	// again; the first edit's delivery arrives last.
	clock.Advance()
	late := lateDelivery(t, h, func() (githubsim.Delivery, error) { return h.Sim.EditIssueBody("bob", "acme/web", n, completeBody) })
	clock.Advance()
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, ownerOnlyBody))
	h.Idle()
	current := botComments(t, h, n)
	if len(current) != 1 || !strings.Contains(current[0].Body, "does not say why") {
		t.Fatalf("before the late delivery: bot comments %+v, want one asking for the reason", current)
	}
	stored, _, err := h.Store.Thread(context.Background(), "acme/web", n)
	if err != nil {
		t.Fatal(err)
	}

	h.Accepted(h.Sim.Redeliver(late.ID))
	h.Idle()
	after, _, err := h.Store.Thread(context.Background(), "acme/web", n)
	if err != nil {
		t.Fatal(err)
	}
	if after.Owner != "@bob" || after.HasRationale() || !after.SnapshotAt.Equal(stored.SnapshotAt) {
		t.Errorf("the late, older snapshot changed the stored issue: owner %q, rationale %q, snapshot %v (was %v)",
			after.Owner, after.Rationale, after.SnapshotAt, stored.SnapshotAt)
	}
	if got := botComments(t, h, n); len(got) != 1 || got[0].ID != current[0].ID || got[0].Body != current[0].Body {
		t.Errorf("the late, older snapshot changed the bot comment:\n%+v\nwas\n%+v", got, current)
	}

	// A newer change still applies.
	clock.Advance()
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 || !strings.Contains(got[0].Body, "Owner and rationale found") {
		t.Errorf("a newer edit after the late one: bot comments %+v, want the one comment saying the issue is complete", got)
	}
}

func TestAnOlderPullRequestSnapshotDeliveredLateChangesNothing(t *testing.T) {
	clock := &worldClock{now: time.Now().UTC().Truncate(time.Second)}
	h := apptest.Start(t, apptest.Options{SimNow: clock.Now})
	n, d, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Move export code", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()

	// A reason is added, then removed; the edit that added it arrives last.
	clock.Advance()
	late := lateDelivery(t, h, func() (githubsim.Delivery, error) {
		return h.Sim.EditPullRequestBody("bob", "acme/web", n, "### Why\nAdmins cannot export their audit log, so they miss compliance deadlines.")
	})
	clock.Advance()
	h.Accepted(h.Sim.EditPullRequestBody("bob", "acme/web", n, bareBody))
	h.Idle()
	current := botComments(t, h, n)
	if len(current) != 1 || !strings.Contains(current[0].Body, "does not say why") {
		t.Fatalf("before the late delivery: bot comments %+v, want one asking for a link or a reason", current)
	}

	h.Accepted(h.Sim.Redeliver(late.ID))
	h.Idle()
	after, _, err := h.Store.Thread(context.Background(), "acme/web", n)
	if err != nil {
		t.Fatal(err)
	}
	if after.HasRationale() {
		t.Errorf("the late, older snapshot gave the stored pull request a reason: %q (%q)", after.Rationale, after.RationaleEvidence)
	}
	if got := botComments(t, h, n); len(got) != 1 || got[0].Body != current[0].Body {
		t.Errorf("the late, older snapshot changed the bot comment:\n%+v\nwas\n%+v", got, current)
	}
}
