package pulls_test

import (
	"context"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// End-to-end: the real App over a real listener and a temp SQLite file,
// against the simulated GitHub, which sends pull request events in the
// shapes of @octokit/webhooks-examples.

const (
	ownedReasoned = "Owner: @bob\n\n### Problem\nAdmins cannot export their audit log, so they miss compliance deadlines."
	bareBody      = "Moves the export code into its own package."
	reasonedBody  = "Moves the export code into its own package.\n\n### Why\nAdmins cannot export their audit log, so they miss compliance deadlines."
	productLevel  = "This adds 300ms to checkout latency for every customer on mobile."
	nit           = "nit: rename this variable to `total`."
)

func openIssue(t *testing.T, h *apptest.Harness, repo, body string) int {
	t.Helper()
	n, d, err := h.Sim.OpenIssue("bob", repo, githubsim.IssueInput{Title: "Audit log export", Body: body})
	h.Accepted(d, err)
	return n
}

func openPull(t *testing.T, h *apptest.Harness, actor string, in githubsim.PullInput) int {
	t.Helper()
	n, d, err := h.Sim.OpenPullRequest(actor, "acme/web", in)
	h.Accepted(d, err)
	h.Idle()
	return n
}

func onlyBotComment(t *testing.T, h *apptest.Harness, number int) githubsim.Comment {
	t.Helper()
	got := h.Sim.BotComments("acme/web", number)
	if len(got) != 1 {
		t.Fatalf("bot comments on #%d = %d, want 1", number, len(got))
	}
	if !strings.HasPrefix(got[0].Body, botcomment.Marker) {
		t.Fatalf("bot comment lacks the marker:\n%s", got[0].Body)
	}
	return got[0]
}

func noBotComment(t *testing.T, h *apptest.Harness, number int) {
	t.Helper()
	if got := h.Sim.BotComments("acme/web", number); len(got) != 0 {
		t.Fatalf("#%d got %d bot comments, want none:\n%s", number, len(got), got[0].Body)
	}
}

func pullGauge(h *apptest.Harness, linked, rationale string) float64 {
	return h.Counter("ownershipbot_pull_requests", map[string]string{"repository": "acme/web", "linked_issue": linked, "rationale": rationale})
}

func requestsTo(h *apptest.Harness, method, path string) int {
	n := 0
	for _, r := range h.Sim.Requests() {
		if r.Method == method && r.Path == path {
			n++
		}
	}
	return n
}

func TestPullRequestFixingAnOwnedReasonedIssueGetsNoComment(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	issue := openIssue(t, h, "acme/web", ownedReasoned)
	h.Idle()
	writes := len(h.Sim.Writes())
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Audit log export", Body: "Fixes #1\n\nStreams the export."})
	if issue != 1 {
		t.Fatalf("issue number = %d, want 1", issue)
	}
	noBotComment(t, h, n)
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("a complete pull request caused %d GitHub writes, want 0", extra)
	}
	if got := requestsTo(h, "GET", "/repos/acme/web/issues/1"); got != 0 {
		t.Fatalf("an issue the store knows was read from GitHub %d times", got)
	}
	if got := pullGauge(h, "owned", "yes"); got != 1 {
		t.Fatalf("ownershipbot_pull_requests{linked_issue=owned,rationale=yes} = %v, want 1", got)
	}
}

func TestBarePullRequestGetsOneCommentEditedInPlaceWhenAReasonIsAdded(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Move export code", Body: bareBody})
	first := onlyBotComment(t, h, n)
	for _, want := range []string{"links no owned issue and does not say why", "`Fixes #123`", "`### Why`"} {
		if !strings.Contains(first.Body, want) {
			t.Fatalf("nudge lacks %q:\n%s", want, first.Body)
		}
	}
	if got := pullGauge(h, "none", "no"); got != 1 {
		t.Fatalf("ownershipbot_pull_requests{linked_issue=none,rationale=no} = %v, want 1", got)
	}

	h.Accepted(h.Sim.EditPullRequestBody("bob", "acme/web", n, reasonedBody))
	h.Idle()
	got := onlyBotComment(t, h, n)
	if got.ID != first.ID {
		t.Fatalf("the comment was replaced (%d -> %d), want it edited in place", first.ID, got.ID)
	}
	if !strings.Contains(got.Body, "The description says why") || strings.Contains(got.Body, "To fix it") {
		t.Fatalf("edited comment does not say the reason is there:\n%s", got.Body)
	}
	if got := pullGauge(h, "none", "yes"); got != 1 {
		t.Fatalf("ownershipbot_pull_requests{linked_issue=none,rationale=yes} = %v, want 1", got)
	}

	// Changes that do not alter the text write nothing.
	writes := len(h.Sim.Writes())
	h.Accepted(h.Sim.LabelPullRequest("bob", "acme/web", n, "enhancement"))
	h.Accepted(h.Sim.AssignPullRequest("bob", "acme/web", n, "bob"))
	h.Accepted(h.Sim.EditPullRequestTitle("bob", "acme/web", n, "Move the export code"))
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("changes that alter nothing shown caused %d GitHub writes, want 0", extra)
	}
	// A push is not even stored: the bot shows nothing about the code.
	d, err := h.Sim.SynchronizePullRequest("bob", "acme/web", n)
	if err != nil || d.Status != 200 {
		t.Fatalf("synchronize: status %d, err %v; want 200 (unused)", d.Status, err)
	}
}

func TestReviewDiscussionMovesTheCountersAndTheSummary(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n := openPull(t, h, "alice", githubsim.PullInput{Title: "Move export code", Body: bareBody})
	comments := func(level string) float64 {
		return h.Counter("ownershipbot_comments", map[string]string{"repository": "acme/web", "thread": "pull_request", "author_role": "engineer", "level": level})
	}

	id, d, err := h.Sim.AddReviewComment("bob", "acme/web", n, 0, githubsim.ReviewCommentInput{Path: "export.go", Line: 3, Body: productLevel})
	h.Accepted(d, err)
	h.Idle()
	if p, i := comments("product"), comments("implementation"); p != 1 || i != 0 {
		t.Fatalf("after a product-level review comment: product %v, implementation %v; want 1, 0", p, i)
	}
	if got := onlyBotComment(t, h, n); !strings.Contains(got.Body, "1 of 1 review comment raised product-level concerns: performance") {
		t.Fatalf("summary line missing:\n%s", got.Body)
	}

	// An edit from product-level to a nit moves the comment back.
	h.Accepted(h.Sim.EditReviewComment("bob", id, nit))
	h.Idle()
	if p, i := comments("product"), comments("implementation"); p != 0 || i != 1 {
		t.Fatalf("after the edit to a nit: product %v, implementation %v; want 0, 1", p, i)
	}
	if got := onlyBotComment(t, h, n); !strings.Contains(got.Body, "None of the 1 review comment raised a product-level concern yet.") {
		t.Fatalf("summary not updated after the edit:\n%s", got.Body)
	}

	// A review body and a conversation comment count too; bots never do.
	reviewID, d, err := h.Sim.SubmitReview("bob", "acme/web", n, githubsim.ReviewInput{State: "CHANGES_REQUESTED",
		Body: "If the payment provider times out, users get charged twice. We need retries with an idempotency key."})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("alice", "acme/web", n, productLevel)
	h.Accepted(d, err)
	h.Sim.AddUser("acme-ci[bot]", "Bot")
	_, d, err = h.Sim.AddComment("acme-ci[bot]", "acme/web", n, "Build failed: the checkout latency budget of 300ms is exceeded for customers.")
	h.Accepted(d, err)
	h.Idle()
	got := onlyBotComment(t, h, n)
	if !strings.Contains(got.Body, "2 of 3 review comments raised product-level concerns: ") || !strings.Contains(got.Body, "reliability") {
		t.Fatalf("summary should count the review body and the conversation comment, not the bot:\n%s", got.Body)
	}
	if strings.Contains(got.Body, "bob") || strings.Contains(got.Body, "alice") {
		t.Fatalf("the comment names a person:\n%s", got.Body)
	}

	// Resolving a thread or dismissing a review changes nothing shown.
	writes := len(h.Sim.Writes())
	h.Accepted(h.Sim.ResolveReviewThread("alice", id, true))
	h.Accepted(h.Sim.DismissReview("alice", "acme/web", n, reviewID))
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("resolving a thread and dismissing a review caused %d GitHub writes, want 0", extra)
	}
	if p := comments("product"); p != 2 {
		t.Fatalf("after a dismissal, engineers' product-level comments = %v, want still 2", p)
	}

	// A deleted comment leaves the counts.
	h.Accepted(h.Sim.DeleteReviewComment("bob", id))
	h.Idle()
	if i := comments("implementation"); i != 0 {
		t.Fatalf("after deleting the nit, implementation-level = %v, want 0", i)
	}
	if got := onlyBotComment(t, h, n); !strings.Contains(got.Body, "2 of 2 review comments") {
		t.Fatalf("summary not updated after the deletion:\n%s", got.Body)
	}

	// Merging observes the review comments once, by level.
	h.Accepted(h.Sim.EditPullRequestBody("alice", "acme/web", n, reasonedBody))
	h.Accepted(h.Sim.MergePullRequest("alice", "acme/web", n))
	h.Idle()
	if got, _ := h.Histogram("ownershipbot_pull_request_review_comments", map[string]string{"level": "product"}); got != 1 {
		t.Fatalf("merged pull requests observed at level product = %v, want 1", got)
	}
	if got := pullGauge(h, "none", "yes") + pullGauge(h, "none", "no"); got != 0 {
		t.Fatalf("a merged pull request is still counted as open: %v", got)
	}
}

func TestDependabotPullRequestIsIgnored(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) { sim.AddUser("dependabot[bot]", "Bot") }})
	writes := len(h.Sim.Writes())
	n := openPull(t, h, "dependabot[bot]", githubsim.PullInput{Title: "Bump next from 14.1.0 to 14.2.3", Body: "Bumps next from 14.1.0 to 14.2.3."})
	h.Accepted(h.Sim.LabelPullRequest("bob", "acme/web", n, "dependencies"))
	h.Idle()
	noBotComment(t, h, n)
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("an ignored pull request caused %d GitHub writes", extra)
	}
	for _, linked := range []string{"owned", "unowned", "none"} {
		for _, why := range []string{"yes", "no"} {
			if got := pullGauge(h, linked, why); got != 0 {
				t.Fatalf("an ignored pull request is counted in ownershipbot_pull_requests{%s,%s}", linked, why)
			}
		}
	}
}

func TestLinkedIssueUnknownToTheStoreIsFetchedOnce(t *testing.T) {
	// GitHub never sent the issue's event, so the App does not know of it.
	h := apptest.Start(t, apptest.Options{})
	h.Idle()
	if err := h.Sim.Unsent(func() error {
		_, _, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Audit log export", Body: ownedReasoned})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Audit log export", Body: "Closes #1"})
	noBotComment(t, h, n)
	if got := requestsTo(h, "GET", "/repos/acme/web/issues/1"); got != 1 {
		t.Fatalf("the unknown linked issue was read %d times, want 1", got)
	}
	th, ok, err := h.Store.Thread(context.Background(), "acme/web", 1)
	if err != nil || !ok || th.Owner != "@bob" || !th.HasRationale() {
		t.Fatalf("the fetched issue is not stored with its owner and rationale: %+v, found %v, err %v", th, ok, err)
	}
	// Later events use the stored state.
	h.Accepted(h.Sim.EditPullRequestTitle("bob", "acme/web", n, "Stream the audit log export"))
	h.Accepted(h.Sim.LabelPullRequest("bob", "acme/web", n, "enhancement"))
	_, d, err := h.Sim.SubmitReview("alice", "acme/web", n, githubsim.ReviewInput{State: "APPROVED", Body: "Looks good."})
	h.Accepted(d, err)
	h.Idle()
	if got := requestsTo(h, "GET", "/repos/acme/web/issues/1"); got != 1 {
		t.Fatalf("after more events the linked issue was read %d times, want still 1", got)
	}

	// An issue GitHub does not have is remembered as missing, not read again.
	h.Accepted(h.Sim.EditPullRequestBody("bob", "acme/web", n, "Closes #1 and fixes #404"))
	h.Accepted(h.Sim.EditPullRequestTitle("bob", "acme/web", n, "Stream the export"))
	h.Idle()
	if got := requestsTo(h, "GET", "/repos/acme/web/issues/404"); got != 1 {
		t.Fatalf("a missing linked issue was read %d times, want 1", got)
	}
}

func TestCrossRepositoryLinks(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if err := sim.AddRepository("acme/api", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
		if err := sim.AddRepository("other/lib", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := sim.OpenIssue("bob", "other/lib", githubsim.IssueInput{Title: "Upstream bug", Body: ownedReasoned}); err != nil {
			t.Fatal(err)
		}
	}})
	// Another repository of the same installation: read once, then trusted.
	// The issue is opened after the backfill on install, without its event,
	// so the App does not know of it (else the backfill may store it first).
	h.Idle()
	if err := h.Sim.Unsent(func() error {
		_, _, err := h.Sim.OpenIssue("bob", "acme/api", githubsim.IssueInput{Title: "Audit log API", Body: ownedReasoned})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Use the audit log API", Body: "Fixes acme/api#1"})
	noBotComment(t, h, n)
	if got := pullGauge(h, "owned", "yes"); got != 1 {
		t.Fatalf("ownershipbot_pull_requests{owned,yes} = %v, want 1", got)
	}
	if got := requestsTo(h, "GET", "/repos/acme/api/issues/1"); got != 1 {
		t.Fatalf("acme/api#1 was read %d times, want 1", got)
	}

	// Outside the installation: shown, never read.
	m := openPull(t, h, "bob", githubsim.PullInput{Title: "Work around the upstream bug", Body: "See https://github.com/other/lib/issues/1"})
	got := onlyBotComment(t, h, m)
	if !strings.Contains(got.Body, "`other/lib#1` (related): outside this installation, not checked") {
		t.Fatalf("the outside link is not shown as such:\n%s", got.Body)
	}
	for _, r := range h.Sim.Requests() {
		if strings.HasPrefix(r.Path, "/repos/other/") {
			t.Fatalf("the App read %s %s outside its installation", r.Method, r.Path)
		}
	}
}

func TestDraftIsNotNudgedUntilReadyForReview(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Move export code", Body: bareBody, Draft: true})
	h.Accepted(h.Sim.EditPullRequestTitle("bob", "acme/web", n, "WIP: move export code"))
	h.Idle()
	noBotComment(t, h, n)
	h.Accepted(h.Sim.ReadyForReview("bob", "acme/web", n))
	h.Idle()
	onlyBotComment(t, h, n)
}

func TestClosedPullRequestIsNeverNudged(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Move export code", Body: bareBody, Draft: true})
	h.Accepted(h.Sim.ClosePullRequest("bob", "acme/web", n))
	h.Idle()
	h.Accepted(h.Sim.ReadyForReview("bob", "acme/web", n))
	h.Accepted(h.Sim.EditPullRequestBody("bob", "acme/web", n, bareBody+"\n\nClosing: superseded."))
	_, d, err := h.Sim.AddComment("alice", "acme/web", n, productLevel)
	h.Accepted(d, err)
	h.Idle()
	noBotComment(t, h, n)
}

func TestCommentModesAndRequiredLink(t *testing.T) {
	tests := []struct {
		name    string
		config  string
		body    string
		comment bool
		want    string
	}{
		{"never writes nothing", "pull_requests:\n  comment: never\n", bareBody, false, ""},
		{"always comments on a complete pull request", "pull_requests:\n  comment: always\n", reasonedBody, true, "The description says why"},
		{"require_linked_issue asks for the link despite a reason", "pull_requests:\n  require_linked_issue: true\n", reasonedBody, true, "which this repository requires"},
		{"ignore_labels leaves the pull request alone", "pull_requests:\n  ignore_labels: [wip]\n", bareBody, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
				if err := sim.SetFile("acme/web", ".github/ownership.yml", tt.config); err != nil {
					t.Fatal(err)
				}
			}})
			n := openPull(t, h, "bob", githubsim.PullInput{Title: "Move export code", Body: tt.body, Labels: []string{"wip"}})
			if !tt.comment {
				noBotComment(t, h, n)
				return
			}
			if got := onlyBotComment(t, h, n); !strings.Contains(got.Body, tt.want) {
				t.Fatalf("comment lacks %q:\n%s", tt.want, got.Body)
			}
		})
	}
}

func TestConversationCommentOnAPullRequestOpenedBeforeInstallReadsItOnce(t *testing.T) {
	// The pull request's own event never reached the App, and the backfill
	// on install ran before it existed: the App does not know of it.
	h := apptest.Start(t, apptest.Options{})
	h.Idle()
	if err := h.Sim.Unsent(func() error {
		_, _, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Move export code", Body: bareBody})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, d, err := h.Sim.AddComment("alice", "acme/web", 1, productLevel)
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("alice", "acme/web", 1, nit)
	h.Accepted(d, err)
	h.Idle()
	if got := requestsTo(h, "GET", "/repos/acme/web/pulls/1"); got != 1 {
		t.Fatalf("the unknown pull request was read %d times, want 1", got)
	}
	if got := onlyBotComment(t, h, 1); !strings.Contains(got.Body, "1 of 2 review comments raised product-level concerns: performance") {
		t.Fatalf("summary missing:\n%s", got.Body)
	}
}

func TestLinkToATransferredIssueIsNotTakenForAnotherIssue(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if err := sim.AddRepository("acme/api", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
	}})
	owned := openIssue(t, h, "acme/web", ownedReasoned) // web#1: owned and reasoned
	bare := openIssue(t, h, "acme/web", "do it")        // web#2: neither
	moved, d, err := h.Sim.TransferIssue("bob", "acme/web", bare, "acme/api")
	h.Accepted(d, err)
	h.Idle()
	if moved != owned {
		t.Fatalf("setup: the moved issue got number %d; the test needs it to collide with web#%d", moved, owned)
	}
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Bare work", Body: "Fixes #2"})
	th, _, err := h.Store.Thread(context.Background(), "acme/web", n)
	if err != nil {
		t.Fatal(err)
	}
	if th.LinkedIssue == "owned" {
		t.Fatalf("a link to the transferred web#2 took the state of another issue: linked_issue=%s links=%+v", th.LinkedIssue, th.Links)
	}
	onlyBotComment(t, h, n)
}

func TestPullRequestFollowsItsLinkedIssue(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	issue := openIssue(t, h, "acme/web", "do it")
	n := openPull(t, h, "bob", githubsim.PullInput{Title: "Export audit log", Body: "Fixes #1"})
	before := onlyBotComment(t, h, n)
	if !strings.Contains(before.Body, "no owner") {
		t.Fatalf("the pull request's comment should say #1 has no owner:\n%s", before.Body)
	}
	writes := len(h.Sim.Writes())
	reads := requestsTo(h, "GET", "/repos/acme/web/issues/1")

	// The issue gains an owner and a reason: the pull request follows
	// without an event of its own, and reads nothing from GitHub to do so.
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", issue, ownedReasoned))
	h.Idle()
	after := onlyBotComment(t, h, n)
	if after.ID != before.ID || strings.Contains(after.Body, "no owner") || !strings.Contains(after.Body, "`@bob`") {
		t.Fatalf("the pull request's comment did not follow its linked issue:\n%s", after.Body)
	}
	if got := pullGauge(h, "owned", "yes"); got != 1 {
		t.Fatalf("ownershipbot_pull_requests{linked_issue=owned,rationale=yes} = %v, want 1", got)
	}
	for _, w := range h.Sim.Writes()[writes:] {
		if w.Route != "/repos/{owner}/{repo}/issues/comments/{comment_id}" {
			t.Errorf("unexpected write %s %s", w.Method, w.Path)
		}
	}
	if got := requestsTo(h, "GET", "/repos/acme/web/issues/1") - reads; got != 0 {
		t.Errorf("the linked issue was read from GitHub %d more times; the store knows it", got)
	}
}
