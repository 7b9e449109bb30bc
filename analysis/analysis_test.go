package analysis

import (
	"reflect"
	"slices"
	"testing"
)

func TestAnalyzeCommentStories(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Concern
	}{
		{"latency with a number and unit", "This adds 300ms to checkout for every user.", []Concern{Performance, CustomerImpact}},
		{"a question about users and timeouts", "What happens to users if the payment API times out?", []Concern{Reliability}},
		{"negation still reasons about latency", "This won't affect latency.", []Concern{Performance}},
		{"customers asking", "Three enterprise customers asked for this last quarter.", []Concern{CustomerImpact}},
		{"confusing error message", "The error message here is confusing for new users.", []Concern{UserExperience}},
		{"worth it on the roadmap", "Is this worth it given the roadmap for Q3?", []Concern{BusinessValue}},
		{"secrets in logs", "This would log the API key in plaintext, which is a security problem.", []Concern{SecurityPrivacy}},
		{"code nit", "nit: rename this variable to `userCount`", nil},
		{"thanks", "LGTM, thanks!", nil},
		{"flaky test", "This test is flaky on CI, can you rerun it?", nil},
		{"concern words inside code", "```\nperformance timeout crash latency\n```\nok", nil},
		{"concern words inside inline code", "Renamed `perfLatencyTimeout` to `timeout`.", nil},
		{"quoted reply", "> this will crash for all users\n\nDone.", nil},
		{"stack trace", "Traceback (most recent call last):\n  File \"app.py\", line 3, in <module>\n    raise TimeoutError\nTimeoutError: request timed out", nil},
		{"Spanish", "El rendimiento es muy lento para los usuarios de la aplicación.", nil},
		{"emoji only", "🎉🎉🚀", nil},
		{"HTML comment", "<!-- users will hit timeouts -->\n+1", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := testAnalyzer.AnalyzeComment(tt.body)
			// A learned model may see a second concern; the one named
			// must be there.
			for _, c := range tt.want {
				if !slices.Contains(got.Concerns, c) {
					t.Fatalf("concerns = %v, want %v among them (evidence %+v)", got.Concerns, tt.want, got.Evidence)
				}
			}
			if got.ProductLevel != (len(tt.want) > 0) {
				t.Errorf("product level = %v", got.ProductLevel)
			}
			for _, c := range got.Concerns {
				if !slices.ContainsFunc(got.Evidence, func(e Evidence) bool { return e.Concern == c && e.Text != "" }) {
					t.Errorf("no evidence for %s", c)
				}
			}
		})
	}
}

func TestDetectRationaleStories(t *testing.T) {
	tests := []struct {
		name, title, body string
		opts              RationaleOptions
		want              Strength
	}{
		{"bare instruction", "Bump lodash to 4.17.21", "", RationaleOptions{}, StrengthNone},
		{"filled problem field", "Checkout is slow", "### Problem\n\nCheckout takes 4s for EU users so they abandon carts.\n", RationaleOptions{}, StrengthStrong},
		{"empty why field", "Add export", "### Why\n\n_No response_\n\n### What\n\nAdd a CSV export button.\n", RationaleOptions{}, StrengthNone},
		{"placeholder-only heading", "Add export", "## Motivation\n\n<!-- Describe why this matters -->\n\n## Change\n\nAdd the button.\n", RationaleOptions{}, StrengthNone},
		{"N/A heading", "Add export", "## Motivation\nN/A\n", RationaleOptions{}, StrengthNone},
		{"expected and actual", "Login fails", "**Expected behavior**\nI am logged in.\n\n**Actual behavior**\nThe page reloads and shows the login form again.\n", RationaleOptions{}, StrengthStrong},
		{"so that in prose", "Add retries", "Retry webhook deliveries up to three times so that a brief outage does not drop events.", RationaleOptions{}, StrengthStrong},
		{"user story", "Bulk edit", "As a project admin, I want to edit labels on many issues at once.", RationaleOptions{}, StrengthStrong},
		{"custom heading", "Add export", "## Customer ask\n\nAcme needs monthly exports for their auditors.\n", RationaleOptions{Headings: []string{"Customer ask"}}, StrengthStrong},
		{"unchanged default template", "Bug", "**Describe the bug**\nA clear and concise description of what the bug is.\n\n**Expected behavior**\nA clear and concise description of what you expected to happen.\n", RationaleOptions{}, StrengthNone},
		// A reason that matters to the engineers themselves is a reason
		// (the labelling rules: "for anyone").
		{"a reason about code", "Split server.go", "Split the handlers into their own files because the file is too long to review.", RationaleOptions{}, StrengthStrong},
		{"an upgrade with a user-facing reason", "Upgrade log4j", "Upgrade log4j to 2.17.1 because 2.14 is vulnerable to remote code execution.", RationaleOptions{}, StrengthStrong},
		{"task list only", "Release 2.3", "- [ ] tag the release\n- [ ] publish the images\n- [ ] update the changelog\n", RationaleOptions{}, StrengthNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectRationale(tt.title, tt.body, tt.opts)
			if got.Strength != tt.want {
				t.Fatalf("strength = %s (evidence %q), want %s", got.Strength, got.Evidence, tt.want)
			}
			if got.Present() != (got.Evidence != "") {
				t.Errorf("evidence %q does not match strength %s", got.Evidence, got.Strength)
			}
		})
	}
}

func TestModelDoesNotReadCodeTalk(t *testing.T) {
	// Code-level sentences with words the model has seen in product
	// comments stay implementation talk.
	for _, s := range []string{
		"Rename the users variable in the unit test.",
		"The integration tests for the checkout page are flaky on CI.",
		"Bump the payments SDK to 4.2 in go.mod.",
	} {
		if a := testAnalyzer.AnalyzeComment(s); a.ProductLevel {
			t.Errorf("%q: product-level %v", s, a.Evidence)
		}
	}
}

func TestAnalyzeCommentIsSafeForConcurrentUse(t *testing.T) {
	texts := []string{
		"This adds 300ms to checkout for every user.",
		"nit: rename this variable",
		"Three enterprise customers asked for SSO; is this on the roadmap?",
		"```\ncrash\n```\nThe error message is confusing for new users.",
	}
	want := make([]CommentAnalysis, len(texts))
	for i, s := range texts {
		want[i] = testAnalyzer.AnalyzeComment(s)
	}
	done := make(chan string)
	for g := 0; g < 8; g++ {
		go func() {
			for n := 0; n < 200; n++ {
				i := (n + g) % len(texts)
				got := testAnalyzer.AnalyzeComment(texts[i])
				if !slices.Equal(got.Concerns, want[i].Concerns) || !reflect.DeepEqual(got.Evidence, want[i].Evidence) {
					done <- texts[i]
					return
				}
			}
			done <- ""
		}()
	}
	for g := 0; g < 8; g++ {
		if s := <-done; s != "" {
			t.Errorf("concurrent analysis of %q differs from the sequential one", s)
		}
	}
}
