package githubsim_test

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

// nullable are keys GitHub documents as nullable: the Sim may send null where
// an example happens to carry a value (an issue without a milestone, ...).
var nullable = map[string]bool{
	"milestone": true, "assignee": true, "closed_at": true, "merged_at": true, "merged_by": true,
	"merge_commit_sha": true, "body": true, "description": true, "homepage": true, "language": true,
	"license": true, "mirror_url": true, "active_lock_reason": true, "performed_via_github_app": true,
	"closed_by": true, "state_reason": true, "mergeable": true, "rebaseable": true, "auto_merge": true,
	"requester": true, "suspended_at": true, "suspended_by": true, "base_ref": true, "start_line": true,
	"original_start_line": true, "start_side": true, "in_reply_to_id": true, "single_file_name": true,
	"owner": true, "email": true, "name": true,
}

// notSentToApps are keys of repository-webhook examples that GitHub App
// deliveries do not carry: an App's ping concerns no repository.
var notSentToApps = map[string]bool{"ping.repository": true, "ping.organization": true,
	"ping.hook.url": true, "ping.hook.ping_url": true, "ping.hook.test_url": true, "ping.hook.last_response": true}

// underDataMap reports whether p is a key of an object whose keys are data,
// not shape: an installation's granted permissions, custom properties.
func underDataMap(p string) bool {
	return strings.Contains(p, "permissions.") || strings.Contains(p, "custom_properties.")
}

// missingKeys compares a payload with GitHub's examples of the same event
// and action: every key path that all examples carry must be in the
// payload with the same JSON type (null allowed where an example has null,
// or for nullable keys). Paths under an array the payload has empty cannot
// be compared and are skipped.
func missingKeys(t *testing.T, event string, payload []byte) []string {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal(payload, &got); err != nil {
		t.Fatalf("%s: %v", event, err)
	}
	action, _ := got["action"].(string)
	key := event + "." + action
	shapes := openapitest.WebhookShapes(t)
	want, ok := shapes[key]
	if !ok {
		// No example of this action (issues.closed, pull_request.edited,
		// ...): compare with what every example of the event carries.
		want, ok = shapes[event]
	}
	if !ok {
		return []string{"(no example of " + key + " in " + openapitest.ShapesFile + "; add the event to openapitest.WebhookEvents and regenerate)"}
	}
	have := openapitest.KeyPaths(got)
	var problems []string
	for p, types := range want {
		top, _, _ := strings.Cut(p, ".")
		if notSentToApps[event+"."+strings.TrimSuffix(top, "[]")] || notSentToApps[event+"."+p] || underDataMap(p) {
			continue
		}
		ty, ok := have[p]
		if !ok {
			if parentSkipped(p, have) {
				continue
			}
			problems = append(problems, p+" missing")
			continue
		}
		last := p[strings.LastIndex(p, ".")+1:]
		switch {
		case types[ty], types["null"]:
		case ty == "null" && nullable[strings.TrimSuffix(last, "[]")]:
		default:
			problems = append(problems, fmt.Sprintf("%s is %s, GitHub sends %v", p, ty, sortedSet(types)))
		}
	}
	sort.Strings(problems)
	return problems
}

// parentSkipped reports whether p lies under a value the payload has as
// null (nullable) or as an empty array, where nothing can be compared.
func parentSkipped(p string, have map[string]string) bool {
	for i := len(p) - 1; i > 0; i-- {
		if p[i] != '.' && !(p[i] == '[' && strings.HasPrefix(p[i:], "[]")) {
			continue
		}
		parent := p[:i]
		ty, ok := have[parent]
		if !ok {
			continue
		}
		if ty == "null" {
			return true
		}
		if ty == "array" {
			if _, any := have[parent+"[]"]; !any {
				// Elements of an empty array have no keys to compare.
				if _, elem := have[parent+"[]."+strings.TrimPrefix(p[i:], "[].")]; !elem {
					return true
				}
			}
		}
		return false
	}
	return false
}

func sortedSet(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// playEverything acts out every kind of event the Sim sends.
func playEverything(t *testing.T, w *world) {
	t.Helper()
	s := w.sim
	must := func(_ githubsim.Delivery, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.AddRepository("acme/api", githubsim.RepoOptions{Private: true}); err != nil {
		t.Fatal(err)
	}
	if err := s.AddRepository("acme/docs", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	must(s.Ping("alice"))
	n, _, err := s.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Slow", Body: "Checkout takes 5 s.",
		Assignees: []string{"alice"}, Labels: []string{"bug"}})
	if err != nil {
		t.Fatal(err)
	}
	must(s.EditIssueBody("carol", "acme/web", n, "Checkout takes 5 s for everyone."))
	must(s.EditIssueTitle("carol", "acme/web", n, "Checkout is slow"))
	must(s.AssignIssue("alice", "acme/web", n, "bob"))
	must(s.UnassignIssue("alice", "acme/web", n, "bob"))
	must(s.LabelIssue("alice", "acme/web", n, "perf"))
	must(s.UnlabelIssue("alice", "acme/web", n, "perf"))
	cid, _, err := s.AddComment("bob", "acme/web", n, "Adds 300ms to checkout.")
	if err != nil {
		t.Fatal(err)
	}
	must(s.EditComment("bob", cid, "Adds 400ms to checkout."))
	must(s.DeleteComment("bob", cid))
	must(s.CloseIssue("alice", "acme/web", n, ""))
	must(s.ReopenIssue("alice", "acme/web", n))
	_, d, err := s.TransferIssue("alice", "acme/web", n, "acme/api")
	must(d, err)
	n2, _, err := s.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Spam", Assignees: []string{"alice"}, Labels: []string{"spam"}})
	if err != nil {
		t.Fatal(err)
	}
	must(s.DeleteIssue("alice", "acme/web", n2))

	pr, _, err := s.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: "Cache prices", Body: "Fixes #1",
		Assignees: []string{"bob"}, Labels: []string{"perf"}, Reviewers: []string{"alice"}, Draft: true})
	if err != nil {
		t.Fatal(err)
	}
	must(s.ReadyForReview("bob", "acme/web", pr))
	must(s.ConvertToDraft("bob", "acme/web", pr))
	must(s.ReadyForReview("bob", "acme/web", pr))
	must(s.EditPullRequestBody("bob", "acme/web", pr, "Fixes #1 so that checkout is fast."))
	must(s.AssignPullRequest("bob", "acme/web", pr, "alice"))
	must(s.UnassignPullRequest("bob", "acme/web", pr, "alice"))
	must(s.LabelPullRequest("bob", "acme/web", pr, "ready"))
	must(s.UnlabelPullRequest("bob", "acme/web", pr, "ready"))
	must(s.RequestReview("bob", "acme/web", pr, "dave"))
	must(s.SynchronizePullRequest("bob", "acme/web", pr))
	rid, _, err := s.SubmitReview("alice", "acme/web", pr, githubsim.ReviewInput{State: "CHANGES_REQUESTED", Body: "Users will see stale prices.",
		Comments: []githubsim.ReviewCommentInput{{Path: "cache.go", Line: 3, Body: "What is the TTL?"}}})
	if err != nil {
		t.Fatal(err)
	}
	must(s.EditReview("alice", "acme/web", pr, rid, "Users may see stale prices."))
	must(s.DismissReview("bob", "acme/web", pr, rid))
	rc, _, err := s.AddReviewComment("dave", "acme/web", pr, 0, githubsim.ReviewCommentInput{Path: "cache.go", Line: 7, Body: "nit: name"})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.AddReviewComment("bob", "acme/web", pr, rc, githubsim.ReviewCommentInput{Body: "Renamed."})
	if err != nil {
		t.Fatal(err)
	}
	must(s.ResolveReviewThread("bob", rc, true))
	must(s.ResolveReviewThread("bob", rc, false))
	must(s.EditReviewComment("dave", rc, "nit: naming"))
	must(s.DeleteReviewComment("dave", rc))
	if _, _, err := s.AddComment("alice", "acme/web", pr, "Looks good for users."); err != nil {
		t.Fatal(err)
	}
	must(s.ClosePullRequest("bob", "acme/web", pr))
	must(s.ReopenPullRequest("bob", "acme/web", pr))
	must(s.MergePullRequest("alice", "acme/web", pr))

	// A new branch first, so that its push (created, before 000...) is the
	// one whose shape is checked.
	must(s.PushToBranch("alice", "acme/web", "try-config", "Try a config", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: never\n"}))
	must(s.Push("alice", "acme/web", "Configure ownershipbot", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: always\n"}))
	must(s.AddInstallationRepositories("alice", "acme"))
	must(s.RemoveInstallationRepositories("alice", "acme", "acme/docs"))
	must(s.AddInstallationRepositories("alice", "acme", "acme/docs"))
	must(s.SuspendApp("alice", "acme", true))
	must(s.SuspendApp("alice", "acme", false))
	must(s.UninstallApp("alice", "acme"))
}

func TestWebhookPayloadsHaveGitHubsShape(t *testing.T) {
	w := newWorld(t)
	playEverything(t, w)
	seen := map[string]bool{}
	for _, d := range w.sim.Deliveries() {
		key := d.Event + "." + d.Action
		if d.Status != 202 {
			t.Errorf("%s %s: App answered %d %s", key, d.ID, d.Status, d.Err)
		}
		if problems := missingKeys(t, d.Event, d.Body); len(problems) > 0 && !seen[key] {
			t.Errorf("%s differs from GitHub's examples:\n  %s", key, strings.Join(problems, "\n  "))
		}
		seen[key] = true
		// Every delivery to an App names its installation.
		var p struct {
			Installation *struct {
				ID     int64  `json:"id"`
				NodeID string `json:"node_id"`
			} `json:"installation"`
		}
		if err := json.Unmarshal(d.Body, &p); err != nil {
			t.Fatal(err)
		}
		if d.Event != "ping" && (p.Installation == nil || p.Installation.ID != w.inst || p.Installation.NodeID == "") {
			t.Errorf("%s: installation = %+v, want id %d with node_id", key, p.Installation, w.inst)
		}
		// And decodes into go-github's event types, as the App reads it.
		ev, err := github.ParseWebHook(d.Event, d.Body)
		if err != nil {
			t.Errorf("%s: go-github cannot read it: %v", key, err)
		} else if ev == nil {
			t.Errorf("%s: go-github returned nothing", key)
		}
	}
	want := []string{
		"ping.", "issues.opened", "issues.edited", "issues.assigned", "issues.unassigned", "issues.labeled",
		"issues.unlabeled", "issues.closed", "issues.reopened", "issues.transferred", "issues.deleted",
		"issue_comment.created", "issue_comment.edited", "issue_comment.deleted",
		"pull_request.opened", "pull_request.edited", "pull_request.closed", "pull_request.reopened",
		"pull_request.ready_for_review", "pull_request.converted_to_draft", "pull_request.assigned",
		"pull_request.unassigned", "pull_request.labeled", "pull_request.unlabeled",
		"pull_request.review_requested", "pull_request.synchronize",
		"pull_request_review.submitted", "pull_request_review.edited", "pull_request_review.dismissed",
		"pull_request_review_comment.created", "pull_request_review_comment.edited", "pull_request_review_comment.deleted",
		"pull_request_review_thread.resolved", "pull_request_review_thread.unresolved",
		"push.", "installation.created", "installation.deleted", "installation.suspend", "installation.unsuspend",
		"installation_repositories.added", "installation_repositories.removed",
	}
	for _, k := range want {
		if !seen[k] {
			t.Errorf("no %s delivery was sent", k)
		}
	}
}

func TestShapeCheckerCatchesDifferences(t *testing.T) {
	w := newWorld(t)
	n, _, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "t", Body: "b", Labels: []string{"bug"}})
	if err != nil {
		t.Fatal(err)
	}
	_, d, err := w.sim.AddComment("bob", "acme/web", n, "hello")
	if err != nil {
		t.Fatal(err)
	}
	var p map[string]any
	if err := json.Unmarshal(d.Body, &p); err != nil {
		t.Fatal(err)
	}
	delete(p["comment"].(map[string]any), "author_association")
	p["issue"].(map[string]any)["number"] = "1"
	delete(p["repository"].(map[string]any)["owner"].(map[string]any), "login")
	delete(p, "sender")
	broken, _ := json.Marshal(p)
	got := strings.Join(missingKeys(t, "issue_comment", broken), "\n")
	for _, want := range []string{"comment.author_association missing", "issue.number is string", "repository.owner.login missing", "sender missing"} {
		if !strings.Contains(got, want) {
			t.Errorf("checker did not report %q; it reported:\n%s", want, got)
		}
	}
}
