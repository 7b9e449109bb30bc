package pulls_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// BenchmarkPullRequestEvents plays one pull request's life per iteration
// through the real App and counts the GitHub requests it causes:
//
//	go test -run '^$' -bench PullRequestEvents -benchtime 20x ./app/pulls
//
// The pull request links an issue the App has never seen (read once), gets
// its nudge (one write), two review comments (the summary line: one edit
// each), a body edit that adds a reason (one edit), a label and a title
// edit that change nothing shown (no write), and is merged (no write).
// Reported: reads and writes per processed event, reads per unseen linked
// issue, and writes per change of the comment's text.
func BenchmarkPullRequestEvents(b *testing.B) {
	h := apptest.Start(b, apptest.Options{})
	h.Idle()
	h.Sim.ResetRequests()
	deliveries := len(h.Sim.Deliveries())
	unseen, changes := 0, 0
	b.ResetTimer()
	for i := range b.N {
		// An issue opened while no webhook reaches the App: unknown to the store.
		h.Sim.SetWebhook("", "")
		issue, _, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: "The export button does nothing."})
		if err != nil {
			b.Fatal(err)
		}
		h.Sim.SetWebhook(h.URL+"/webhook", apptest.Secret)
		unseen++

		n, d, err := h.Sim.OpenPullRequest("bob", "acme/web", githubsim.PullInput{Title: fmt.Sprintf("Export %d", i), Body: fmt.Sprintf("Part of #%d", issue)})
		h.Accepted(d, err)
		changes++ // created: the linked issue has no owner and no reason
		for _, body := range []string{productLevel, nit} {
			_, d, err = h.Sim.AddReviewComment("alice", "acme/web", n, 0, githubsim.ReviewCommentInput{Path: "export.go", Line: 1, Body: body})
			h.Accepted(d, err)
			changes++ // the summary line
		}
		h.Accepted(h.Sim.EditPullRequestBody("bob", "acme/web", n, reasonedBody))
		changes++ // the reason is there now
		h.Accepted(h.Sim.LabelPullRequest("bob", "acme/web", n, "enhancement"))
		h.Accepted(h.Sim.EditPullRequestTitle("bob", "acme/web", n, fmt.Sprintf("Export, part %d", i)))
		h.Accepted(h.Sim.MergePullRequest("bob", "acme/web", n))
		h.Idle()
	}
	b.StopTimer()
	events := len(h.Sim.Deliveries()) - deliveries
	reads, writes, issueReads := 0, 0, 0
	for _, r := range h.Sim.Requests() {
		switch {
		case strings.HasSuffix(r.Route, "/access_tokens"), r.Route == "/app":
			// Once an hour per installation, and once per process: not per event.
		case r.Method == "GET":
			reads++
			if r.Route == "/repos/{owner}/{repo}/issues/{issue_number}" {
				issueReads++
			}
		default:
			writes++
		}
	}
	b.ReportMetric(float64(reads)/float64(events), "reads/event")
	b.ReportMetric(float64(writes)/float64(events), "writes/event")
	b.ReportMetric(float64(issueReads)/float64(unseen), "reads/unseen-issue")
	b.ReportMetric(float64(writes)/float64(changes), "writes/comment-change")
	b.ReportMetric(float64(events)/float64(b.N), "events/PR")
}
