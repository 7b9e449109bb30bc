package app_test

import (
	"context"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// An issue a bot opened states nobody's reason: it is left alone like an
// ignored author's, even when the bot is not in ignore.authors.
func TestBotsIssuesAreNotJudged(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("acme-ci[bot]", "acme/web", githubsim.IssueInput{Title: "Nightly failed", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("a bot's issue was nudged:\n%s", got[0].Body)
	}
	if counts, _ := h.Store.IssueCounts(context.Background()); len(counts) != 0 {
		t.Fatalf("a bot's issue was counted: %+v", counts)
	}
}
