package app_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// TestTwoAppsOnOneOrgKeepOnlyTheirOwnComments runs production's App and a
// staging App, both ownershipbot, on one organization. Staging is installed
// after production has commented, so it meets production's comment, marker
// and all, on an issue new to its store, and sees each of production's
// comments arrive by webhook. Each keeps its own comment and never touches
// the other's.
func TestTwoAppsOnOneOrgKeepOnlyTheirOwnComments(t *testing.T) {
	prod := apptest.Start(t, apptest.Options{})
	n, d, err := prod.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	prod.Accepted(d, err)
	prod.Idle()

	stagingApp, err := prod.Sim.AddApp("ownershipbot-staging")
	if err != nil {
		t.Fatal(err)
	}
	staging := apptest.Start(t, apptest.Options{Sim: prod.Sim, SimURL: prod.SimURL, App: stagingApp})
	_, d, err = stagingApp.Install("alice", "acme")
	staging.Accepted(d, err)
	staging.Idle()

	// Both Apps hear of each change; the one staging meets first finds
	// production's comment among the issue's comments.
	prod.Accepted(prod.Sim.AssignIssue("bob", "acme/web", n, "bob"))
	prod.Idle()
	staging.Idle()
	prod.Accepted(prod.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
	prod.Idle()
	staging.Idle()

	byAuthor := map[string][]githubsim.Comment{}
	for _, c := range prod.Sim.Comments("acme/web", n) {
		byAuthor[c.User] = append(byAuthor[c.User], c)
	}
	for _, login := range []string{prod.Sim.BotLogin(), stagingApp.BotLogin()} {
		got := byAuthor[login]
		if len(got) != 1 {
			t.Fatalf("%s has %d comments on the issue, want its own one: %+v", login, len(got), byAuthor)
		}
		if !strings.Contains(got[0].Body, "Owner and rationale found") {
			t.Errorf("%s's comment is not up to date:\n%s", login, got[0].Body)
		}
	}
	// Every write to a comment came from the App that wrote it.
	installation := map[string]int64{
		prod.Sim.BotLogin():   prod.Sim.Installation("acme"),
		stagingApp.BotLogin(): stagingApp.Installation("acme"),
	}
	for _, w := range prod.Sim.Writes() {
		if w.Route != "/repos/{owner}/{repo}/issues/comments/{comment_id}" {
			continue
		}
		for login, comments := range byAuthor {
			if strings.HasSuffix(w.Path, fmt.Sprintf("/comments/%d", comments[0].ID)) && w.InstallationID != installation[login] {
				t.Errorf("%s %s: %s's comment written by installation %d, not its own %d", w.Method, w.Path, login, w.InstallationID, installation[login])
			}
		}
	}
	if edits := countWrites(prod.Sim, "PATCH"); edits == 0 {
		t.Fatal("no comment was edited: the test did not exercise adoption")
	}
}

func countWrites(sim *githubsim.Sim, method string) int {
	n := 0
	for _, w := range sim.Writes() {
		if w.Method == method {
			n++
		}
	}
	return n
}
