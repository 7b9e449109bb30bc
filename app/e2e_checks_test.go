package app_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/configcheck"
	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// after is the commit a push delivery says it made.
func after(t *testing.T, d githubsim.Delivery) string {
	t.Helper()
	var p struct {
		After string `json:"after"`
	}
	if err := json.Unmarshal(d.Body, &p); err != nil || p.After == "" {
		t.Fatalf("push payload without after: %v", err)
	}
	return p.After
}

func pushConfig(h *apptest.Harness, repo, branch, content string) githubsim.Delivery {
	h.T.Helper()
	return h.Accepted(h.Sim.PushToBranch("alice", repo, branch, "Configure ownershipbot",
		githubsim.FileChange{Path: ".github/ownership.yml", Content: content}))
}

func TestPushedConfigGetsACheckRunOnItsCommit(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		if err := sim.AddRepository("acme/.github", githubsim.RepoOptions{}); err != nil {
			t.Fatal(err)
		}
	}})
	good := pushConfig(h, "acme/web", "", "comment: never\nnudge:\n  label: needs-owner\n")
	broken := pushConfig(h, "acme/web", "ownership-config", "enabled: true\ncomments: always\nowner:\n  label_pattern: 42\n")
	org := pushConfig(h, "acme/.github", "", "comment: sometimes\n")
	h.Idle()

	runs := h.Sim.CheckRuns("acme/web")
	if len(runs) != 2 {
		t.Fatalf("%d check runs on acme/web, want one per push", len(runs))
	}
	if r := runs[0]; r.HeadSHA != after(t, good) || r.Name != configcheck.CheckName || r.Status != "completed" || r.Conclusion != "success" {
		t.Errorf("the valid file's check run: %+v", r)
	}
	r := runs[1]
	if r.HeadSHA != after(t, broken) || r.Conclusion != "failure" || r.Title != "2 problems in .github/ownership.yml" {
		t.Fatalf("the broken file on a branch: %+v", r)
	}
	for _, want := range []string{`line 2: "comments" is not a setting; did you mean "comment"?`, "line 4: owner.label_pattern must be a text pattern"} {
		if !strings.Contains(r.Summary, want) {
			t.Errorf("the summary lacks %q:\n%s", want, r.Summary)
		}
	}
	if len(r.Annotations) != 2 || r.Annotations[0].StartLine != 2 || r.Annotations[0].Path != ".github/ownership.yml" || r.Annotations[0].AnnotationLevel != "failure" {
		t.Errorf("annotations %+v, want lines 2 and 4 of .github/ownership.yml", r.Annotations)
	}
	orgRuns := h.Sim.CheckRuns("acme/.github")
	if len(orgRuns) != 1 || orgRuns[0].HeadSHA != after(t, org) || orgRuns[0].Conclusion != "failure" ||
		!strings.Contains(orgRuns[0].Summary, "repositories without a file of their own") {
		t.Fatalf("the org's file: %+v", orgRuns)
	}

	// The valid file on the default branch took effect; the branch's broken
	// one did not.
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("comment: never pushed to the default branch, yet the issue was nudged")
	}
	if got := h.Counter("ownershipbot_config_checks_total", map[string]string{"conclusion": "failure"}); got != 2 {
		t.Errorf("ownershipbot_config_checks_total{conclusion=failure} = %v, want 2", got)
	}
}

// Issue 14's file: 2,000 unknown keys. The next issue gets one short
// comment; the commit gets a check run listing every problem.
func TestTwoThousandUnknownKeysGiveOneShortCommentAndTheFullListOnTheCommit(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	var file strings.Builder
	file.WriteString("\"@acme/security please look\": true\n")
	for i := range 2000 {
		fmt.Fprintf(&file, "unknown_%d: x\n", i)
	}
	push := pushConfig(h, "acme/web", "", file.String())
	h.Idle()
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "One", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()

	comments := botComments(t, h, n)
	if len(comments) != 1 || len(comments[0].Body) > 4000 || !strings.Contains(comments[0].Body, "and 1996 more") {
		t.Fatalf("want one short comment ending its list with a count, got %d comments", len(comments))
	}
	runs := h.Sim.CheckRuns("acme/web")
	if len(runs) != 1 || runs[0].HeadSHA != after(t, push) || runs[0].Conclusion != "failure" {
		t.Fatalf("check runs %+v", runs)
	}
	all := runs[0].Summary + runs[0].Text
	for i := range 2000 {
		if want := fmt.Sprintf("line %d: \"unknown_%d\" is not a setting\n", i+2, i); !strings.Contains(all, want) {
			t.Fatalf("the check run does not list %q", want)
		}
	}
	if strings.Contains(all, "more problems not shown") {
		t.Errorf("2,001 problems fit GitHub's limits, yet some are not shown")
	}
	if outsideFences(all, "@acme/security") {
		t.Errorf("a key from the file reaches the check run outside a code block")
	}
	if len(runs[0].Annotations) != 50 {
		t.Errorf("%d annotations, want GitHub's 50 per request", len(runs[0].Annotations))
	}
}

// outsideFences reports whether s occurs in markdown outside fenced code
// blocks.
func outsideFences(markdown, s string) bool {
	inside := false
	for _, l := range strings.Split(markdown, "\n") {
		if strings.HasPrefix(l, "```") && strings.Trim(l, "`") == "" {
			inside = !inside
			continue
		}
		if !inside && strings.Contains(l, s) {
			return true
		}
	}
	return false
}

// An org that has not accepted the App's new checks: write permission: the
// push still takes effect, the delivery does not fail, and the missing
// permission is counted instead of retried.
func TestCheckRunWithoutPermissionDoesNotFailThePush(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	if err := h.Sim.SetInstallationPermissions("acme", map[string]string{
		"issues": "write", "pull_requests": "write", "contents": "read", "members": "read", "metadata": "read",
	}); err != nil {
		t.Fatal(err)
	}
	pushConfig(h, "acme/web", "", "comment: never\n")
	h.Idle()
	if runs := h.Sim.CheckRuns("acme/web"); len(runs) != 0 {
		t.Fatalf("a check run was created without the permission: %+v", runs)
	}
	if got := h.Counter("ownershipbot_config_checks_total", map[string]string{"conclusion": "not_permitted"}); got != 1 {
		t.Errorf("not_permitted counted %v times, want 1", got)
	}
	if got := h.Counter("ownershipbot_deliveries_failed_total", map[string]string{"event": "push"}); got != 0 {
		t.Errorf("the push delivery failed")
	}
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("the pushed comment: never did not take effect")
	}
}

// A push that removes the file, or changes only a template, gets no check run.
func TestOnlyPushesWritingTheFileAreChecked(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "comment: always\n")
	}})
	h.Accepted(h.Sim.Push("alice", "acme/web", "Drop the config", githubsim.FileChange{Path: ".github/ownership.yml", Delete: true}))
	h.Accepted(h.Sim.Push("alice", "acme/web", "Template", githubsim.FileChange{Path: ".github/ISSUE_TEMPLATE/bug.md", Content: "### Why\n"}))
	h.Idle()
	if runs := h.Sim.CheckRuns("acme/web"); len(runs) != 0 {
		t.Fatalf("check runs %+v, want none", runs)
	}
}
