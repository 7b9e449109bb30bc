package app_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

const brokenConfig = "enabled: true\ncomments: always\nowner:\n  label_pattern: 42\n"

func TestBrokenConfigIsReportedOnceInPlainWords(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", brokenConfig)
	}})
	first, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "One", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	second, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Two", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()

	got := botComments(t, h, first)
	if len(got) != 1 {
		t.Fatalf("first issue has %d bot comments", len(got))
	}
	for _, want := range []string{"acme/web/.github/ownership.yml", `"comments" is not a setting; did you mean "comment"?`, "owner.label_pattern must be a text pattern"} {
		if !strings.Contains(got[0].Body, want) {
			t.Errorf("config report lacks %q:\n%s", want, got[0].Body)
		}
	}
	if c := botComments(t, h, second); len(c) != 1 || strings.Contains(c[0].Body, "ownership.yml` could not be used") {
		t.Fatalf("the config problem was reported a second time:\n%v", c)
	}
}

func TestConfigPushTakesEffect(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	h.Accepted(h.Sim.Push("alice", "acme/web", "Quiet the bot", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: never\n"}))
	h.Idle()
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("comment: never still commented")
	}
}

func TestCachedConfigIsRefreshedByPush(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	// The config is now cached; a push changing it must invalidate it.
	h.Accepted(h.Sim.Push("alice", "acme/web", "Own by label", githubsim.FileChange{Path: ".github/ownership.yml", Content: "owner:\n  label_pattern: \"team:*\"\n"}))
	// The push and the label are on different order keys, so nothing orders
	// them; wait for the push as a person would see it land first.
	h.Idle()
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "team:payments"))
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 || !strings.Contains(got[0].Body, "(label)") {
		t.Fatalf("the comment does not name the owner found by the new label pattern:\n%v", got)
	}
	th, _, _ := h.Store.Thread(context.Background(), "acme/web", n)
	if th.OwnerSource != "label" {
		t.Fatalf("owner source = %q, want label (owner %q)", th.OwnerSource, th.Owner)
	}
}

func TestIgnoredLabelsAndAuthorsAreLeftAlone(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "ignore:\n  labels: [wontfix]\n  authors: [outsider]\n")
	}})
	a, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody, Labels: []string{"wontfix"}})
	h.Accepted(d, err)
	b, d, err := h.Sim.OpenIssue("outsider", "acme/web", githubsim.IssueInput{Title: "Bare", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if len(botComments(t, h, a))+len(botComments(t, h, b)) != 0 {
		t.Fatal("ignored issues were nudged")
	}
	counts, _ := h.Store.IssueCounts(context.Background())
	if len(counts) != 0 {
		t.Fatalf("ignored issues were counted: %+v", counts)
	}
}

func TestCommentModeAlwaysAndClosedIssues(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "comment: always\n")
	}})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Complete", Body: completeBody})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 || !strings.Contains(got[0].Body, "Owner and rationale found") {
		t.Fatalf("comment: always did not summarise a complete issue: %v", got)
	}
	// A closed issue is not nudged even when it loses its owner.
	h.Accepted(h.Sim.CloseIssue("bob", "acme/web", n, "completed"))
	writes := len(h.Sim.Writes())
	h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, bareBody))
	h.Idle()
	if extra := len(h.Sim.Writes()) - writes; extra != 0 {
		t.Fatalf("a closed issue caused %d writes", extra)
	}
}

func TestManyConfigProblemsGiveOneShortCommentWithEverythingInCode(t *testing.T) {
	var file strings.Builder
	file.WriteString("\"@acme/security please look\": true\n")
	for i := range 2000 {
		fmt.Fprintf(&file, "unknown_%d: x\n", i)
	}
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", file.String())
	}})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "One", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 {
		t.Fatalf("issue has %d bot comments, want 1", len(got))
	}
	body := got[0].Body
	if len(body) > 4000 || !strings.Contains(body, "and 1996 more") || !strings.Contains(body, "ownershipbot config check") {
		t.Fatalf("comment of %d characters, want a short one ending the list with \"and 1996 more\" and config check:\n%s", len(body), body)
	}
	if outsideCode(body, "@acme/security") {
		t.Fatalf("a key from the file reaches the comment outside code formatting:\n%s", body)
	}
}

func TestConfigOverOneMegabyteIsReportedAsTooLarge(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", "# padding\n"+strings.Repeat("#", 10<<20)+"\n")
	}})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "One", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	got := botComments(t, h, n)
	if len(got) != 1 || !strings.Contains(got[0].Body, "too large") {
		t.Fatalf("want one bot comment saying the file is too large, got %v", got)
	}
}

// outsideCode reports whether s occurs in markdown outside code spans.
func outsideCode(markdown, s string) bool {
	inCode := false
	for i, part := range strings.Split(markdown, "`") {
		inCode = i%2 == 1
		if !inCode && strings.Contains(part, s) {
			return true
		}
	}
	return false
}

// A broken file in the org's .github repository is one mistake in one
// place: it is reported in one issue comment of the org, not once in every
// repository that falls back to it (the check run on the org's commit lists
// it in full), and never on issues that lack nothing.
func TestBrokenOrgConfigIsReportedOnceForTheWholeOrg(t *testing.T) {
	repos := []string{"acme/web", "acme/api", "acme/docs", "acme/infra"}
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		for _, r := range append([]string{"acme/.github"}, repos[1:]...) {
			if err := sim.AddRepository(r, githubsim.RepoOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		sim.SetFile("acme/.github", ".github/ownership.yml", brokenConfig)
	}})
	var reports int
	complete := map[string]int{}
	for _, r := range repos {
		n, d, err := h.Sim.OpenIssue("bob", r, githubsim.IssueInput{Title: "Export", Body: bareBody})
		h.Accepted(d, err)
		h.Idle()
		for _, c := range h.Sim.BotComments(r, n) {
			if strings.Contains(c.Body, "acme/.github/.github/ownership.yml") {
				reports++
			}
		}
		n, d, err = h.Sim.OpenIssue("alice", r, githubsim.IssueInput{Title: "Audit", Body: completeBody})
		h.Accepted(d, err)
		h.Idle()
		complete[r] = n
	}
	if reports != 1 {
		t.Errorf("the org's broken file was reported in %d issue comments across %d repositories, want 1", reports, len(repos))
	}
	for r, n := range complete {
		if c := h.Sim.BotComments(r, n); len(c) != 0 {
			t.Errorf("%s#%d lacks nothing, yet got a bot comment:\n%s", r, n, c[0].Body)
		}
	}
}

// With comment: missing (the default) the bot comments only where an owner
// or a reason is missing: a broken file is no reason to comment on an issue
// that lacks nothing. It is told in the next comment the bot writes anyway.
func TestBrokenConfigIsNoReasonToCommentOnACompleteIssue(t *testing.T) {
	h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
		sim.SetFile("acme/web", ".github/ownership.yml", brokenConfig)
	}})
	complete, d, err := h.Sim.OpenIssue("alice", "acme/web", githubsim.IssueInput{Title: "Audit", Body: completeBody})
	h.Accepted(d, err)
	h.Idle()
	if c := botComments(t, h, complete); len(c) != 0 {
		t.Fatalf("an issue with an owner and a reason got a bot comment because of the config file:\n%s", c[0].Body)
	}
	bare, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	h.Accepted(d, err)
	h.Idle()
	if c := botComments(t, h, bare); len(c) != 1 || !strings.Contains(c[0].Body, `"comments" is not a setting`) {
		t.Fatalf("the first nudge does not report the broken file: %v", c)
	}
}
