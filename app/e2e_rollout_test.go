package app_test

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// The documented first step of a rollout: comment: never once in the org's
// .github repository. Everything people do is then counted, and the App
// writes nothing to GitHub at all: no comment, no label, on issues or pull
// requests.
func TestCommentNeverOrgWideCountsEverythingAndWritesNothing(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		for _, r := range []string{"acme/.github", "acme/api"} {
			if err := sim.AddRepository(r, githubsim.RepoOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		sim.SetFile("acme/.github", ".github/ownership.yml", "comment: never\nnudge:\n  label: needs-owner\n")
	}})
	bare, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	owned, d, err := h.Sim.OpenIssue("alice", "acme/api", githubsim.IssueInput{Title: "Audit", Body: completeBody})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("alice", "acme/web", bare, "Customers on the enterprise plan hit this every day.")
	h.Accepted(d, err)
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", bare, "bug"))
	pr, d, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Fix export", Body: "Small change."})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("alice", "acme/web", pr, "This will slow down checkout for big carts.")
	h.Accepted(d, err)
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", bare, "completed"))
	h.Accepted(h.Sim.ReopenIssue("bob", "acme/web", bare))
	h.Idle()

	if writes := h.Sim.Writes(); len(writes) != 0 {
		t.Fatalf("comment: never in the org's file, yet the App wrote to GitHub %d times, first %s %s", len(writes), writes[0].Method, writes[0].Path)
	}
	for repo, want := range map[string]map[string]string{
		"acme/web": {"owner": "no", "rationale": "no"},
		"acme/api": {"owner": "yes", "rationale": "yes"},
	} {
		labels := map[string]string{"repository": repo, "owner": want["owner"], "rationale": want["rationale"]}
		if got := h.Counter("ownershipbot_issues", labels); got != 1 {
			t.Errorf("ownershipbot_issues%v = %v, want 1: a quiet org is still counted", labels, got)
		}
	}
	if got := h.Counter("ownershipbot_comments_analyzed_total", map[string]string{"repository": "acme/web", "thread": "pull_request"}); got != 1 {
		t.Errorf("the pull request's comment was analysed %v times, want 1", got)
	}
	if _, ok, _ := h.Store.Thread(context.Background(), "acme/api", owned); !ok {
		t.Errorf("the complete issue was not stored")
	}
}

// enabled: false in the org's file and enabled: true in one repository's:
// only that repository is worked on, with the org's other settings.
func TestOrgOffWithOneRepositoryOptingIn(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		for _, r := range []string{"acme/.github", "acme/api"} {
			if err := sim.AddRepository(r, githubsim.RepoOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		sim.SetFile("acme/.github", ".github/ownership.yml", "enabled: false\nnudge:\n  intro: \"Acme asks every issue for an owner: see go/own, @acme/leads.\"\n")
		sim.SetFile("acme/web", ".github/ownership.yml", "enabled: true\n")
	}})
	in, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	out, d, err := h.Sim.OpenIssue("bob", "acme/api", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()

	got := botComments(t, h, in)
	if len(got) != 1 || !strings.Contains(got[0].Body, "Acme asks every issue for an owner") {
		t.Fatalf("the opted-in repository's issue got %d comments, want one opening with the org's intro: %v", len(got), got)
	}
	if outsideCode(got[0].Body, "@acme/leads") {
		t.Errorf("the intro's mention reaches the comment live:\n%s", got[0].Body)
	}
	if c := h.Sim.BotComments("acme/api", out); len(c) != 0 {
		t.Errorf("a repository the org left off got a comment")
	}
	if counts, _ := h.Store.IssueCounts(context.Background()); len(counts) != 1 || counts[0].Repo != "acme/web" {
		t.Errorf("issue counts %+v, want only acme/web's", counts)
	}
}

// Issues and comments by GitHub users of type Bot are left alone by
// default, whatever the login; ignore.bots: false counts them.
func TestBotUsersAreIgnoredByDefault(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.AddUser("acme-release-train", "Bot") // a Bot whose login does not end in [bot]
	}})
	n, d, err := h.Sim.OpenIssue("acme-release-train", "acme/web", githubsim.IssueInput{Title: "Release 1.2 failed", Body: bareBody})
	h.Accepted(d, err)
	human, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: completeBody})
	h.Accepted(d, err)
	_, d, err = h.Sim.AddComment("acme-release-train", "acme/web", human, "Customers on the enterprise plan are blocked by this outage.")
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("an issue opened by a Bot user was nudged:\n%s", got[0].Body)
	}
	if _, ok, _ := h.Store.Thread(context.Background(), "acme/web", n); ok {
		t.Errorf("an issue opened by a Bot user was stored and counted")
	}
	if got := h.Counter("ownershipbot_comments_analyzed_total", map[string]string{"author_role": "bot"}); got != 0 {
		t.Errorf("a Bot user's comment was analysed and counted (%v)", got)
	}

	h.Accepted(h.Sim.Push("alice", "acme/web", "Count bots", githubsim.FileChange{Path: ".github/ownership.yml", Content: "ignore:\n  bots: false\n"}))
	h.Idle()
	_, d, err = h.Sim.AddComment("acme-release-train", "acme/web", human, "Customers on the enterprise plan are blocked by this outage.")
	h.Accepted(d, err)
	h.Accepted(h.Sim.EditIssueBody("acme-release-train", "acme/web", n, bareBody+"\n"))
	h.Idle()
	if got := h.Counter("ownershipbot_comments_analyzed_total", map[string]string{"author_role": "bot"}); got != 1 {
		t.Errorf("with ignore.bots: false the Bot's comment is counted in the role bot: got %v, want 1", got)
	}
	if got := botComments(t, h, n); len(got) != 1 {
		t.Errorf("with ignore.bots: false the Bot's issue is judged like anyone's: %d comments, want 1", len(got))
	}
}

// nudge.label is on an issue exactly while its comment asks for something,
// with no write when the issue already is as it should be.
func TestNudgeLabelFollowsTheComment(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "nudge:\n  label: needs owner\n")
	}})
	labels := func(n int) []string { return h.Sim.Labels("acme/web", n) }
	labelWrites := func() int {
		count := 0
		for _, w := range h.Sim.Writes() {
			if strings.Contains(w.Route, "/labels") {
				count++
			}
		}
		return count
	}

	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if !slices.Contains(labels(n), "needs owner") || len(botComments(t, h, n)) != 1 {
		t.Fatalf("a nudged issue has labels %v, want needs owner with the comment", labels(n))
	}
	if labelWrites() != 1 {
		t.Fatalf("%d label writes, want 1", labelWrites())
	}

	// Changes that leave the nudge standing write no label again.
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "bug"))
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", n, "Export is broken"))
	h.Idle()
	if labelWrites() != 1 {
		t.Fatalf("%d label writes after changes that keep the nudge, want still 1", labelWrites())
	}

	// A person removing it is not overruled at once; the next change while
	// something is still missing puts it back.
	h.Accepted(h.Sim.UnlabelIssue("bob", "acme/web", n, "needs owner"))
	h.Idle()
	if slices.Contains(labels(n), "needs owner") {
		t.Fatalf("the label came straight back after a person removed it")
	}
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", n, "Export is still broken"))
	h.Idle()
	if !slices.Contains(labels(n), "needs owner") {
		t.Fatalf("the label is not back while the issue still lacks an owner: %v", labels(n))
	}

	// Resolved: owner and reason given; the label goes.
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
	h.Idle()
	if slices.Contains(labels(n), "needs owner") {
		t.Fatalf("a complete issue keeps the label: %v", labels(n))
	}

	// Closed while still asking: the label goes too.
	m, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Import", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", m, "not_planned"))
	h.Idle()
	if slices.Contains(labels(m), "needs owner") {
		t.Fatalf("a closed issue keeps the label: %v", labels(m))
	}
	for _, w := range h.Sim.Writes() {
		if strings.Contains(w.Route, "/labels") && w.Status >= http.StatusBadRequest {
			t.Errorf("label write %s %s answered %d", w.Method, w.Path, w.Status)
		}
	}
}

// An issue closed while its comment still asks for an owner: the comment
// is edited once to say so in one line, and left alone after that.
func TestIssueClosedWithoutOwnerHasItsCommentEditedOnce(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	nudge := botComments(t, h, n)
	if len(nudge) != 1 {
		t.Fatalf("%d bot comments, want the nudge", len(nudge))
	}
	writes := len(h.Sim.Writes())
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", n, "completed"))
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 || got[0].ID != nudge[0].ID {
		t.Fatalf("bot comments %v, want the nudge edited in place", got)
	}
	lines := strings.Split(strings.TrimSpace(got[0].Body), "\n")
	if len(lines) != 2 || lines[1] != "This issue was closed without an owner or a stated reason." {
		t.Fatalf("the closed issue's comment is not one line saying so:\n%s", got[0].Body)
	}
	if extra := len(h.Sim.Writes()) - writes; extra != 1 {
		t.Fatalf("closing caused %d writes, want the one edit", extra)
	}

	// Later changes to the closed issue, and a redelivery of the close,
	// write nothing.
	writes = len(h.Sim.Writes())
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, bareBody+" Still."))
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "wontfix"))
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("changes to a closed issue caused %d writes", extra)
	}

	// Reopened, it asks again; a complete issue closed keeps its thanks.
	h.Accepted(h.Sim.ReopenIssue("bob", "acme/web", n))
	h.Idle()
	if got := botComments(t, h, n); !strings.Contains(got[0].Body, "no owner yet") {
		t.Fatalf("a reopened issue's comment does not ask again:\n%s", got[0].Body)
	}
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
	h.Idle()
	writes = len(h.Sim.Writes())
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", n, "completed"))
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("closing a complete issue caused %d writes", extra)
	}
}

// enabled: false in the org's file when the App is installed: the backfill
// reads nothing there. A repository that opts in later is then read as it
// would have been at install, so its first dashboard is not empty, and no
// comment is written because of it.
func TestARepositoryThatOptsInLaterHasItsHistoryRead(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if err := sim.AddRepository("acme/.github", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
		sim.SetFile("acme/.github", ".github/ownership.yml", "enabled: false\n")
		seedOrg(t, sim, 6, 2)
	}})
	h.Idle()
	if got := gaugeSum(t, h, "ownershipbot_issues"); got != 0 {
		t.Fatalf("the org is off, yet %d issues are counted", got)
	}
	h.Accepted(h.Sim.Push("alice", "acme/web", "Opt in", githubsim.FileChange{Path: ".github/ownership.yml", Content: "enabled: true\n"}))
	h.Idle()
	if got := gaugeSum(t, h, "ownershipbot_issues"); got != 6 {
		t.Errorf("acme/web opted in: %d of its 6 open issues are counted", got)
	}
	if got := gaugeSum(t, h, "ownershipbot_comments"); got != 12 {
		t.Errorf("acme/web opted in: %d of its 12 comments are counted", got)
	}
	for _, w := range h.Sim.Writes() {
		if !strings.Contains(w.Path, "/check-runs") {
			t.Errorf("opting in wrote to GitHub: %s %s", w.Method, w.Path)
		}
	}
}

// The same when the org turns the bot on in its own file: every
// repository of the org that nothing was read of is read.
func TestAnOrgThatTurnsTheBotOnHasItsHistoryRead(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if err := sim.AddRepository("acme/.github", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
		sim.SetFile("acme/.github", ".github/ownership.yml", "enabled: false\n")
		seedOrg(t, sim, 4, 1)
	}})
	h.Idle()
	h.Accepted(h.Sim.Push("alice", "acme/.github", "Observe first", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: never\n"}))
	h.Idle()
	if got := gaugeSum(t, h, "ownershipbot_issues"); got != 4 {
		t.Errorf("the org turned the bot on: %d of acme/web's 4 open issues are counted", got)
	}
	for _, w := range h.Sim.Writes() {
		if !strings.Contains(w.Path, "/check-runs") {
			t.Errorf("turning the bot on wrote to GitHub: %s %s", w.Method, w.Path)
		}
	}
}

// A repository that goes quiet (comment: never) after the bot has commented
// keeps those comments true: once the issue has its owner and reason, its
// comment says so and its label goes, instead of asking on for what is there.
// Nothing new is written: no comment on a new issue or pull request, no label.
func TestCommentNeverKeepsEarlierCommentsTrueAndWritesNoNewOnes(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "nudge:\n  label: needs owner\n")
	}})
	old, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	oldPR, d, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Fix export", Body: "Small change."})
	h.Accepted(d, err)
	h.Idle()
	if len(botComments(t, h, old)) != 1 || len(botComments(t, h, oldPR)) != 1 || !slices.Contains(h.Sim.Labels("acme/web", old), "needs owner") {
		t.Fatalf("before going quiet: the issue and the pull request should each have the nudge, the issue its label")
	}
	askingPR := botComments(t, h, oldPR)[0].Body

	h.Accepted(h.Sim.Push("alice", "acme/web", "Quiet for now", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: never\nnudge:\n  label: needs owner\n"}))
	h.Idle()
	h.Sim.ResetRequests()
	quiet, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Import", Body: bareBody})
	h.Accepted(d, err)
	quietPR, d, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Fix import", Body: "Small change."})
	h.Accepted(d, err)
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", old, "Export is broken"))
	h.Idle()
	if writes := h.Sim.Writes(); len(writes) != 0 {
		t.Fatalf("quiet, with nothing settled, the App wrote %d times, first %s %s", len(writes), writes[0].Method, writes[0].Path)
	}

	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", old, completeBody))
	h.Accepted(h.Sim.EditPullRequestBody("bob", "acme/web", oldPR, "Fixes #"+strconv.Itoa(old)+"."))
	h.Idle()
	got := botComments(t, h, old)
	if len(got) != 1 || strings.Contains(got[0].Body, "no owner yet") {
		t.Errorf("the issue's earlier comment still asks for an owner once it has one:\n%v", got)
	}
	if slices.Contains(h.Sim.Labels("acme/web", old), "needs owner") {
		t.Errorf("the settled issue keeps the nudge label")
	}
	prComments := botComments(t, h, oldPR)
	if len(prComments) != 1 || prComments[0].Body == askingPR {
		t.Errorf("the pull request's earlier comment still asks, now that it links an owned issue with a reason:\n%v", prComments)
	}
	for _, w := range h.Sim.Writes() {
		if w.Method == http.MethodPost {
			t.Errorf("quiet, the App created something: %s %s", w.Method, w.Path)
		}
	}
	if len(botComments(t, h, quiet)) != 0 || len(botComments(t, h, quietPR)) != 0 || len(h.Sim.Labels("acme/web", quiet)) != 0 {
		t.Errorf("quiet, a new issue or pull request was nudged")
	}
}

// Renaming nudge.label moves the bot's label at each issue's next change:
// the old name comes off, the new one goes on; removing the setting takes
// the label off. A label named like the old one that people put on issues
// the bot never labelled is left alone.
func TestRenamedNudgeLabelIsMovedAndARemovedOneTakenOff(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "nudge:\n  label: needs owner\n")
	}})
	labels := func(n int) []string { return h.Sim.Labels("acme/web", n) }
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	theirs, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Audit", Body: completeBody})
	h.Accepted(d, err)
	h.Idle()
	if !slices.Contains(labels(n), "needs owner") {
		t.Fatalf("labels %v, want needs owner", labels(n))
	}

	h.Accepted(h.Sim.Push("alice", "acme/web", "Rename the label", githubsim.FileChange{Path: ".github/ownership.yml", Content: "nudge:\n  label: triage\n"}))
	h.Idle()
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", theirs, "needs owner"))
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", n, "Export is broken"))
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", theirs, "Audit log export"))
	h.Idle()
	if got := labels(n); slices.Contains(got, "needs owner") || !slices.Contains(got, "triage") {
		t.Fatalf("after the rename the issue has labels %v, want triage instead of needs owner", got)
	}
	if got := labels(theirs); !slices.Contains(got, "needs owner") {
		t.Errorf("an issue the bot never labelled lost the label a person gave it, named like the old nudge label: %v", got)
	}

	h.Accepted(h.Sim.Push("alice", "acme/web", "No label", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: missing\n"}))
	h.Idle()
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", n, "Export is broken again"))
	h.Idle()
	if got := labels(n); len(got) != 0 {
		t.Errorf("with nudge.label removed the issue keeps %v", got)
	}
}

// Quiet costs GitHub nothing: an issue the App first meets with comments
// on it (so its bot comment, if any, is unknown) is not searched for one
// on each change while comment is never.
func TestCommentNeverDoesNotLookForABotComment(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "comment: never\n")
	}})
	var n int
	if err := h.Sim.Unsent(func() error {
		var err error
		if n, _, err = h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody}); err != nil {
			return err
		}
		_, _, err = h.Sim.AddComment("alice", "acme/web", n, "Seen on the enterprise plan too.")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	_, d, err := h.Sim.AddComment("alice", "acme/web", n, "Still broken today.")
	h.Accepted(d, err)
	h.Accepted(h.Sim.EditIssueTitle("bob", "acme/web", n, "Export is broken"))
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", n, "completed"))
	h.Idle()
	for _, r := range h.Sim.Requests() {
		if r.Method == http.MethodGet && r.Route == "/repos/{owner}/{repo}/issues/{issue_number}/comments" {
			t.Fatalf("quiet, the App listed the issue's comments to look for its own: %s %s", r.Method, r.Path)
		}
	}
	if writes := h.Sim.Writes(); len(writes) != 0 {
		t.Fatalf("quiet, the App wrote %s %s", writes[0].Method, writes[0].Path)
	}
}
