package app_test

import (
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
