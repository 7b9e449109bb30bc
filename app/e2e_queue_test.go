package app_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// A burst of events on one issue is handled as a batch: every event is
// applied in order, and the comment is written once for the batch, not once
// per event.
func TestABurstOnOneIssueWritesTheCommentOncePerBatch(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	// The first comment takes a second to write, so the burst queues behind it.
	h.Sim.SetLatency("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", time.Second)
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	const burst = 21 // assigned, unassigned, ... assigned: each flips what the comment says
	for i := range burst {
		if i%2 == 0 {
			h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
		} else {
			h.Accepted(h.Sim.UnassignIssue("bob", "acme/web", n, "bob"))
		}
	}
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 || strings.Contains(got[0].Body, "no owner") {
		t.Fatalf("bot comments = %d, want one that no longer asks for an owner:\n%+v", len(got), got)
	}
	writes := 0
	for _, w := range h.Sim.Writes() {
		if strings.Contains(w.Route, "/comments") {
			writes++
		}
	}
	// One write for the opening event, one for the burst; a third if the
	// burst was split between two batches.
	if writes > 3 {
		t.Errorf("%d comment writes for 1 + %d events on one issue, want at most 3: one per batch", writes, burst)
	}
	if got := h.Counter("ownershipbot_deliveries_processed_total", map[string]string{"event": "issues", "outcome": "done"}); got != 1+burst {
		t.Errorf("issues deliveries done = %v, want %d: each applied once", got, 1+burst)
	}
}

// A repository whose GitHub calls take 30 seconds holds at most its share
// of the workers: another repository's deliveries, sent after it had filled
// the queue, are all handled while the slow repository's first calls are
// still waiting for GitHub.
func TestASlowRepositoryDoesNotHoldUpAnother(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if err := sim.AddRepository("acme/slow", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
	}})
	h.Sim.SetRepoLatency("acme/slow", 30*time.Second)
	for i := range 20 {
		_, d, err := h.Sim.OpenIssue("bob", "acme/slow", githubsim.IssueInput{Title: fmt.Sprintf("Slow %d", i), Body: bareBody})
		h.Accepted(d, err)
	}
	sent := time.Now()
	const healthy = 10
	for i := range healthy {
		_, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: fmt.Sprintf("Export %d", i), Body: bareBody})
		h.Accepted(d, err)
	}
	for deadline := time.Now().Add(25 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		done := 0
		for n := 1; n <= healthy; n++ {
			done += len(h.Sim.BotComments("acme/web", n))
		}
		if done == healthy {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d issues of the healthy repository handled after 25s: the slow one holds the workers", done, healthy)
		}
	}
	t.Logf("the healthy repository's %d issues were handled %s after they were sent", healthy, time.Since(sent).Round(time.Millisecond))
	for n := 1; n <= 20; n++ {
		if got := h.Sim.BotComments("acme/slow", n); len(got) != 0 {
			t.Fatalf("slow issue %d already has its comment: the test needs the slow repository still waiting", n)
		}
	}
}

// Events handled together leave the comment as one at a time would have: an
// issue closed and then labelled in one batch still gets its closing line.
func TestAClosingLineSurvivesALaterEventInTheSameBatch(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 {
		t.Fatalf("bot comments = %d, want 1", len(got))
	}
	// Edits are slow now: while the assignment's edit is under way, the
	// closing and the label queue behind it, and are handled together.
	h.Sim.SetLatency("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", time.Second)
	h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
	time.Sleep(100 * time.Millisecond) // the assignment is taken on its own
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", n, "completed"))
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "bug"))
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 || !strings.Contains(got[0].Body, "This issue was closed without a stated reason.") {
		t.Fatalf("bot comments after closing and labelling = %+v, want the one comment with its closing line", got)
	}
	if got := h.Counter("ownershipbot_deliveries_processed_total", map[string]string{"event": "issues", "outcome": "done"}); got != 4 {
		t.Errorf("issues deliveries done = %v, want 4", got)
	}
}

// The closing line speaks of the issue as it closed: closed with an owner
// and a reason, then stripped of them while closed, in one batch, the
// comment gets no closing line, as one event at a time would have left it.
func TestAnIssueClosedCompleteGetsNoClosingLineFromALaterEditInTheSameBatch(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 || strings.Contains(got[0].Body, "closed") {
		t.Fatalf("bot comments = %+v, want one, without a closing line", got)
	}
	// Edits are slow now: while the assignment's edit is under way, the
	// closing and the later edit queue behind it, and are handled together.
	h.Sim.SetLatency("PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}", time.Second)
	h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "alice"))
	time.Sleep(100 * time.Millisecond) // the assignment is taken on its own
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", n, "completed"))
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, bareBody))
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 || strings.Contains(got[0].Body, "was closed without") {
		t.Fatalf("an issue closed with its owner and reason got a closing line: %+v", got)
	}
}
