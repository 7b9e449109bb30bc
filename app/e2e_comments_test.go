package app_test

import (
	"context"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

const (
	productComment = "If checkout takes 3 seconds longer, customers abandon their carts; our support team already has twelve tickets about it."
	nitComment     = "nit: rename this variable to exportPath."
)

// commentGauge finds one series of the store's comment counts.
func commentGauge(t *testing.T, h *apptest.Harness, role, level string) int {
	t.Helper()
	counts, err := h.Store.CommentCounts(context.Background(), time.Now().Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range counts {
		if c.Repo == "acme/web" && c.Thread == store.ThreadIssue && c.AuthorRole == role && c.Level == level {
			return c.Count
		}
	}
	return 0
}

func TestCommentsAreCountedByRoleAndLevelAsTheyStand(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.AddOrgMember("acme", "priya", "member")
		sim.AddOrgMember("acme", "pm-two", "member")
		sim.AddTeam("acme", "product", "pm-two")
		sim.SetFile("acme/web", ".github/ownership.yml", "roles:\n  product: [priya, \"@acme/product\"]\n")
	}})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Checkout", Body: completeBody})
	h.Accepted(d, err)
	engineer, d, err := h.Sim.AddComment("bob", "acme/web", n, productComment)
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("priya", "acme/web", n, productComment)
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("pm-two", "acme/web", n, nitComment)
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("outsider", "acme/web", n, productComment)
	h.Accepted(d, err)
	h.Idle()

	want := map[[2]string]int{
		{"engineer", "product"}:       1,
		{"product", "product"}:        1,
		{"product", "implementation"}: 1,
		{"external", "product"}:       1,
	}
	for k, v := range want {
		if got := commentGauge(t, h, k[0], k[1]); got != v {
			t.Errorf("comments{role=%s,level=%s} = %d, want %d", k[0], k[1], got, v)
		}
	}

	// An edit moves the comment to its new level; a deletion removes it.
	h.Accepted(h.Sim.EditComment("bob", engineer, nitComment))
	h.Idle()
	if p, i := commentGauge(t, h, "engineer", "product"), commentGauge(t, h, "engineer", "implementation"); p != 0 || i != 1 {
		t.Fatalf("after the edit: engineer product=%d implementation=%d, want 0 and 1", p, i)
	}
	h.Accepted(h.Sim.DeleteComment("bob", engineer))
	h.Idle()
	if i := commentGauge(t, h, "engineer", "implementation"); i != 0 {
		t.Fatalf("after the deletion the comment still counts: %d", i)
	}
	// Counters show activity: both analyses of the edited comment happened.
	if got := h.Counter("ownershipbot_comments_analyzed_total", map[string]string{"repository": "acme/web", "author_role": "engineer", "level": "product"}); got != 1 {
		t.Fatalf("comments_analyzed_total{engineer,product} = %v, want 1", got)
	}
}

func TestBotCommentsAreNeverCountedAsParticipation(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if len(botComments(t, h, n)) != 1 {
		t.Fatal("expected the nudge")
	}
	counts, _ := h.Store.CommentCounts(context.Background(), time.Time{})
	if len(counts) != 0 {
		t.Fatalf("the bot's own comment was counted: %+v", counts)
	}
}

func TestOneTokenServesManyEvents(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	for range 5 {
		_, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
		h.Accepted(d, err)
	}
	h.Idle()
	if got := h.Sim.TokensIssued(); got != 1 {
		t.Fatalf("installation tokens fetched = %d, want 1 reused", got)
	}
}

func TestSecondaryRateLimitIsHonoured(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	h.Sim.InjectFault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 1, githubsim.SecondaryRateLimit)
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 {
		t.Fatalf("after a secondary rate limit, bot comments = %d, want 1", len(got))
	}
	var limited, after time.Time
	for _, r := range h.Sim.Requests() {
		if r.Method == "POST" && r.Route == "/repos/{owner}/{repo}/issues/{issue_number}/comments" {
			if r.Status == 403 {
				limited = r.At
			} else if r.Status == 201 {
				after = r.At
			}
		}
	}
	if limited.IsZero() || after.Sub(limited) < 900*time.Millisecond {
		t.Fatalf("retried %v after the 403, want at least the 1s Retry-After", after.Sub(limited))
	}
}

func TestSuspendedAndUninstalledAppDoesNothing(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	h.Accepted(h.Sim.SuspendApp("alice", "acme", true))
	h.Idle()
	inst, ok, err := h.Store.Installation(context.Background(), h.Sim.Installation("acme"))
	if err != nil || !ok || !inst.Suspended {
		t.Fatalf("installation after suspend: %+v found=%v err=%v, want suspended", inst, ok, err)
	}
	h.Accepted(h.Sim.SuspendApp("alice", "acme", false))
	h.Accepted(h.Sim.UninstallApp("alice", "acme"))
	h.Idle()
	if _, ok, _ := h.Store.Thread(context.Background(), "acme/web", n); ok {
		t.Fatal("after uninstall the org's issues are still stored")
	}
}
