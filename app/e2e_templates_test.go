package app_test

import (
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// featureTemplate is a repository's own issue template; its guidance would
// read as a reason if the bot did not know it came from the template.
const featureTemplate = "---\nname: Feature\nabout: Ask for a change\nlabels: [feature]\n---\n" +
	"## Who needs this\n\nTell us who is affected and what changes for them, so that we can weigh it against the roadmap.\n\n## Proposal\n\n"

const featureForm = `name: Feature
description: Ask for a change
body:
  - type: textarea
    attributes:
      label: Impact
      description: Explain who is blocked today, so that the team can weigh it.
      placeholder: Admins cannot export their audit log because ...
    validations:
      required: true
`

func templateBody() string {
	return strings.SplitN(featureTemplate, "---\n", 3)[2] + "Add a CSV export button."
}

func TestRepositoryTemplateTextIsNotAReason(t *testing.T) {
	for name, files := range map[string]map[string]string{
		"markdown template":   {".github/ISSUE_TEMPLATE/feature.md": featureTemplate},
		"issue form":          {".github/ISSUE_TEMPLATE/feature.yml": featureForm, ".github/ISSUE_TEMPLATE/config.yml": "blank_issues_enabled: false\n"},
		"organisation's form": {"acme/.github:.github/ISSUE_TEMPLATE/feature.yml": featureForm},
	} {
		t.Run(name, func(t *testing.T) {
			h := apptest.Start(t, apptest.Options{Setup: func(sim *githubsim.Sim) {
				for p, content := range files {
					repo := "acme/web"
					if r, rest, ok := strings.Cut(p, ":"); ok {
						if err := sim.AddRepository(r, githubsim.RepoOptions{Files: map[string]string{rest: content}}); err != nil {
							t.Fatal(err)
						}
						continue
					}
					if err := sim.SetFile(repo, p, content); err != nil {
						t.Fatal(err)
					}
				}
			}})
			body := templateBody()
			if strings.HasSuffix(name, "form") {
				body = "### Impact\n\nExplain who is blocked today, so that the team can weigh it.\n\n### Proposal\n\nAdd a CSV export button."
			}
			n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "CSV export", Body: body, Assignees: []string{"bob"}})
			h.Accepted(d, err)
			h.Idle()
			got := botComments(t, h, n)
			if len(got) != 1 || !strings.Contains(got[0].Body, "does not say why") {
				t.Fatalf("template text read as the reason; bot comments: %v", got)
			}
			// What the author writes into the template is their reason.
			h.Accepted(h.Sim.EditIssueBody("bob", "acme/web", n, body+"\n\nAuditors reject our SOC 2 evidence because admins cannot export the log."))
			h.Idle()
			if got := botComments(t, h, n); len(got) != 1 || !strings.Contains(got[0].Body, "Owner and rationale found") {
				t.Fatalf("the author's own reason is not read: %v", got)
			}
		})
	}
}

// A push that adds or changes a template takes effect at once, like a
// change of the configuration.
func TestTemplatePushTakesEffect(t *testing.T) {
	h := apptest.Start(t, apptest.Options{})
	n, d, err := h.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "CSV export", Body: templateBody(), Assignees: []string{"bob"}})
	h.Accepted(d, err)
	h.Idle()
	if got := botComments(t, h, n); len(got) != 0 {
		t.Fatalf("without the template its guidance reads as a reason, so no comment was expected: %v", got)
	}
	h.Accepted(h.Sim.Push("alice", "acme/web", "Add a feature template", githubsim.FileChange{Path: ".github/ISSUE_TEMPLATE/feature.md", Content: featureTemplate}))
	h.Idle()
	h.Accepted(h.Sim.LabelIssue("bob", "acme/web", n, "feature"))
	h.Idle()
	if got := botComments(t, h, n); len(got) != 1 || !strings.Contains(got[0].Body, "does not say why") {
		t.Fatalf("the pushed template is not used: %v", got)
	}
}
