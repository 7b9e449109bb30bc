package app_test

import (
	"io"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

const bareBody = "The export button does nothing."

const completeBody = `Owner: @bob

### Problem
Admins cannot export their audit log, so they miss compliance deadlines.`

func botComments(t *testing.T, h *apptest.Harness, number int) []githubsim.Comment {
	t.Helper()
	return h.Sim.BotComments("acme/web", number)
}

func TestBareIssueGetsOneNudgeEditedInPlaceWhenComplete(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 {
		t.Fatalf("bot comments after opening a bare issue = %d, want 1", len(got))
	}
	first := got[0]
	if !strings.Contains(first.Body, botcomment.Marker) || !strings.Contains(first.Body, "no owner") {
		t.Fatalf("nudge does not say what is missing:\n%s", first.Body)
	}

	// Adding an owner and a reason edits the same comment to say so.
	h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
	h.Idle()
	got = botComments(t, h, n)
	if len(got) != 1 || got[0].ID != first.ID {
		t.Fatalf("bot comments = %+v, want the one comment %d edited in place", got, first.ID)
	}
	if !strings.Contains(got[0].Body, "Owner and rationale found") {
		t.Fatalf("edited comment does not say the issue is complete:\n%s", got[0].Body)
	}

	// A change that does not alter the text writes nothing.
	writes := len(h.Sim.Writes())
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "bug"))
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("a label that changes nothing caused %d GitHub writes, want 0", extra)
	}
}

func TestCompleteIssueGetsNoComment(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Audit log export", Body: completeBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("a complete issue got %d bot comments, want none:\n%s", len(got), got[0].Body)
	}
	if w := h.Sim.Writes(); len(w) != 0 {
		t.Fatalf("GitHub writes for a complete issue: %+v", w)
	}
}

func TestDuplicateDeliveryDoesNothing(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	_, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	writes := len(h.Sim.Writes())
	again, err := h.Sim.Redeliver(d.ID)
	if err != nil || again.Status != 200 {
		t.Fatalf("redelivery: status %d, err %v; want 200", again.Status, err)
	}
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("a duplicate delivery caused %d writes", extra)
	}
	if got := h.Counter("ownershipbot_webhook_deliveries_total", map[string]string{"event": "issues", "outcome": "duplicate"}); got != 1 {
		t.Fatalf("duplicate deliveries counted = %v, want 1", got)
	}
}

func TestBadGatewayIsRetried(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	h.Sim.InjectFault("POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments", 1, githubsim.BadGateway)
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 {
		t.Fatalf("after a 502, bot comments = %d, want exactly 1", len(got))
	}
	if got := h.Counter("ownershipbot_github_requests_total", map[string]string{"method": "POST", "route": "/repos/{owner}/{repo}/issues/{issue_number}/comments", "status": "502"}); got != 1 {
		t.Fatalf("502s counted = %v, want 1", got)
	}
}

func TestDeletedBotCommentIsRecreatedOnNextChange(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	first := botComments(t, h, n)
	if len(first) != 1 {
		t.Fatalf("bot comments = %d, want 1", len(first))
	}
	h.Accepted(h.Sim.DeleteComment("alice", first[0].ID))
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("the bot re-posted right after a person deleted its comment")
	}
	h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 || got[0].ID == first[0].ID {
		t.Fatalf("after the next change, bot comments = %+v, want one new comment", got)
	}
	if !strings.Contains(got[0].Body, "does not say why") {
		t.Fatalf("re-created comment should ask only for the rationale:\n%s", got[0].Body)
	}
}

// loseFirstAnswer passes the first comment POST to GitHub, then pretends
// the answer was a 502, as when GitHub creates a comment behind a failing
// front end.
type loseFirstAnswer struct {
	next http.RoundTripper
	lost atomic.Bool
}

func (l *loseFirstAnswer) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := l.next.RoundTrip(req)
	if err == nil && req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/comments") && l.lost.CompareAndSwap(false, true) {
		resp.Body.Close()
		return &http.Response{StatusCode: http.StatusBadGateway, Status: "502 Bad Gateway", Header: http.Header{},
			Body: io.NopCloser(strings.NewReader("<html>Bad Gateway</html>")), Request: req}, nil
	}
	return resp, err
}

func TestCommentCreatedBehindA502IsNotPostedTwice(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Transport: &loseFirstAnswer{next: http.DefaultTransport}})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 {
		t.Fatalf("after a 502 on a comment GitHub did create, bot comments = %d, want 1", len(got))
	}
	// The adopted comment is edited in place from then on.
	h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 || !strings.Contains(got[0].Body, "does not say why") {
		t.Fatalf("bot comments after the next change: %+v", got)
	}
}

// A thread the store forgot while its comment stayed on GitHub gets that
// comment edited, never a second one.
func TestForgottenThreadKeepsItsOneComment(t *testing.T) {
	tests := []struct {
		name   string
		forget func(h *apptest.Harness, n int) (repo string, number int)
	}{
		{"an ignore label added and removed", func(h *apptest.Harness, n int) (string, int) {
			h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "wontfix"))
			h.Accepted(h.Sim.UnlabelIssue("bob", "acme/web", n, "wontfix"))
			return "acme/web", n
		}},
		{"the issue transferred to another repository", func(h *apptest.Harness, n int) (string, int) {
			moved, d, err := h.Sim.TransferIssue("bob", "acme/web", n, "acme/api")
			h.Accepted(d, err)
			h.Idle()
			h.Accepted(h.Sim.AssignIssue("bob", "acme/api", moved, "bob"))
			return "acme/api", moved
		}},
		{"the App uninstalled and installed again", func(h *apptest.Harness, n int) (string, int) {
			h.Accepted(h.Sim.UninstallApp("alice", "acme"))
			_, d, err := h.Sim.InstallApp("alice", "acme")
			h.Accepted(d, err)
			h.Accepted(h.Sim.AssignIssue("bob", "acme/web", n, "bob"))
			return "acme/web", n
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
				sim.SetFile("acme/web", ".github/ownership.yml", "ignore:\n  labels: [wontfix]\n")
				if err := sim.AddRepository("acme/api", githubsim.RepoOptions{}); err != nil {
					t.Fatal(err)
				}
			}})
			n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
			h.Accepted(d, err)
			h.Idle()
			repo, number := tt.forget(h, n)
			h.Idle()
			if got := h.Sim.BotComments(repo, number); len(got) != 1 {
				t.Fatalf("%s#%d has %d bot comments, want 1", repo, number, len(got))
			}
		})
	}
}
