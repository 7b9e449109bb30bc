package analysis

import (
	"strings"
	"testing"
)

func TestRationaleRules(t *testing.T) {
	tests := []struct {
		name, title, body string
		want              Strength
		evidence          string // when set, the evidence must be this
	}{
		{"an inline Why line counts like a heading", "Cache the avatar lookups",
			"Why: every page load fetches each avatar again and the list view takes seconds on slow links.\n\nPlan: memoise per session.",
			StrengthStrong, "Why: every page load fetches each avatar again and the list view takes seconds on slow links."},
		{"a bold inline Impact label", "Retry webhooks",
			"**Impact:** deliveries dropped during a deploy are never retried.", StrengthStrong, "Impact: deliveries dropped during a deploy are never retried."},
		{"an inline label left empty is no reason", "Retry webhooks", "Motivation: TBD\n\nAdd a retry queue.", StrengthNone, ""},
		{"a label that is not a reason starts nothing", "Retry webhooks", "Note: see the design doc", StrengthNone, ""},
		{"a checklist confirms steps and gives no reason", "Add a flag",
			"- [x] I signed the contributor agreement\n- [x] Screenshots are attached because the change touches the settings page\n- [ ] Docs updated",
			StrengthNone, ""},
		{"a yes or no field is no reason", "Export to PDF",
			"### Did you search for an existing issue about this bug?\n\nYes\n\n### Version\n\n5.1", StrengthNone, ""},
		{"a help question is no reason", "Export to CSV",
			"### Motivation\n\nHow can I export the table to CSV?", StrengthNone, ""},
		{"a benefit told with could", "Cache the font files",
			"Every page view downloads the fonts again. A long-lived cache header could save our visitors a second on each page.", StrengthStrong, ""},
		{"a problem told in code words counts", "Nightly build",
			"The nightly build fails because the linker runs out of memory on the arm64 runner.", StrengthStrong, ""},
		{"a bare reference is no reason", "Fix the parser", "Closes #766", StrengthNone, ""},
		{"a change described without a reason is none", "Refactor config loading",
			"This PR moves config parsing into its own package and adds tests.", StrengthNone, ""},
		{"a title that says what fails, with a report", "Sync hangs after resume",
			"Steps: open the app, suspend the laptop, resume.\n\nThe spinner stays and nothing syncs until a restart.", StrengthWeak, ""},
		{"an instruction title that names a failure is no report", "Add missing tests for the billing module", "", StrengthNone, ""},
		{"a description in a plain-text block of an issue form", "Sidebar jumps",
			"### What happened\n\n```text\nWhen I resize the window the sidebar jumps to the top and the page I was reading is lost.\n```\n",
			StrengthWeak, ""},
		{"commands in a plain-text block stay code", "Build",
			"### What happened\n\n```shell\nnpm ci\nnpm run build\n```\n", StrengthNone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectRationale(tt.title, tt.body, RationaleOptions{})
			if got.Strength != tt.want {
				t.Fatalf("strength = %s (%q), want %s", got.Strength, got.Evidence, tt.want)
			}
			if tt.evidence != "" && got.Evidence != tt.evidence {
				t.Errorf("evidence = %q, want %q", got.Evidence, tt.evidence)
			}
		})
	}
}

func TestInstructionVerbs(t *testing.T) {
	for _, s := range []string{"Fix the parser", "Fixes the parser", "Improve logging", "Optimizes the loop", "Investigate the timeout", "Simplifies the query", "Convert the config", "Drop Python 3.7"} {
		if !isInstruction(s) {
			t.Errorf("%q is not read as an instruction", s)
		}
	}
	for _, s := range []string{"Users cannot log in", "The export fails", "Checkout is slow"} {
		if isInstruction(s) {
			t.Errorf("%q is read as an instruction", s)
		}
	}
}

// A how-to question that only says what its author wants to do is a
// request for help; one that tells what goes wrong for them states a
// problem (the shared labels read both so).
func TestHowToTitlesAreRequestsForHelp(t *testing.T) {
	title := "How do I export invoices to a spreadsheet?"
	if r := DetectRationale(title, "### Motivation\n\nI want to export the invoices as spreadsheets.", RationaleOptions{}); r.Present() {
		t.Errorf("a how-to question that only restates what it wants reads as a reason: %+v", r)
	}
	if r := DetectRationale(title, "The export button has been greyed out since the update, and I cannot find the setting to turn it back on.", RationaleOptions{}); !r.Present() {
		t.Errorf("a how-to question that tells what goes wrong is not read: %+v", r)
	}
}

// What a bot, a template or the reader's prompts wrote is not the author's
// reasoning; what the author wrote around it is.
func TestRationaleIgnoresWhatTheAuthorDidNotWrite(t *testing.T) {
	tests := []struct {
		name, title, body string
		pr                bool
		want              bool
	}{
		{"a Dependabot body, release notes full of fixes", "Bump axios from 1.6.0 to 1.6.8",
			"Bumps [axios](https://github.com/axios/axios) from 1.6.0 to 1.6.8.\n<details>\n<summary>Release notes</summary>\n<blockquote>\n<p>fix: the request hangs when the server closes the connection early, so uploads fail</p>\n</blockquote>\n</details>\n\nDependabot will resolve any conflicts with this PR as long as you don't alter it yourself.",
			true, false},
		{"a Renovate body", "Update dependency eslint to v9",
			"This PR contains the following updates:\n\n| Package | Change |\n|---|---|\n| eslint | `8.57.0` -> `9.0.0` |\n\n♻ **Rebasing**: Whenever PR becomes conflicted, or you tick the rebase/retry checkbox.\n\n🔕 **Ignore**: Close this PR and you won't be reminded about this update again, because it fails otherwise.\n\nThis PR has been generated by [Mend Renovate](https://www.mend.io/).",
			true, false},
		{"a bare closing reference", "Fix the parser", "Closes #766", true, false},
		{"an untouched template with prompts to the reader", "Fix login",
			"**Does this PR introduce a breaking change?** (check one)\n\n- [ ] Yes\n- [ ] No\n\nIf yes, please describe the impact and migration path for existing applications:\n\n**Other information:**",
			true, false},
		{"a Copilot summary", "Improve the spinner",
			"### 🚀 Summary\n### <samp>🤖 Generated by Copilot at 8c6518d</samp>\n\nImproved the layout of the spinner because it was misaligned and confusing for users.",
			true, false},
		{"the author's reason below a template's last field", "fix: transitions",
			"### Tests\n- [x] Run the tests with `npm test`\n\ncloses: #8533\n\nThe slide transition stutters whenever an element has a min-height, so the page jumps for every user.",
			true, true},
		{"a line of prose that starts with inline code", "setState callback gets no arguments",
			"**What is the current behavior?**\n\n```Component.prototype.setState()```'s callback receives no arguments, although the docs say it gets the state and props.\n\n**What is the expected behavior?**\n\nThe callback receives the updated state.",
			false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectRationale(tt.title, tt.body, RationaleOptions{PullRequest: tt.pr})
			if got.Present() != tt.want {
				t.Fatalf("present = %v (%s, %q), want %v", got.Present(), got.Strength, got.Evidence, tt.want)
			}
		})
	}
}

// A field the repository configured as its reason field counts when it is
// filled, and only then.
func TestConfiguredReasonFieldCounts(t *testing.T) {
	opts := RationaleOptions{Headings: []string{"Customer ask"}}
	if r := DetectRationale("Add export", "## Customer ask\n\nAcme needs monthly exports for their auditors.\n", opts); r.Strength != StrengthStrong || !strings.HasPrefix(r.Evidence, "Customer ask: Acme") {
		t.Errorf("a filled configured field: %+v", r)
	}
	if r := DetectRationale("Add export", "## Customer ask\n\n_No response_\n", opts); r.Present() {
		t.Errorf("an empty configured field: %+v", r)
	}
}

func TestRationaleCuesFile(t *testing.T) {
	if _, err := parseRationaleCues("weak\tzeta\nstrong\talpha\n"); err == nil || !strings.Contains(err.Error(), "out of order") {
		t.Errorf("an unsorted file is accepted: %v", err)
	}
	if _, err := parseRationaleCues("hopeful\tsoon\n"); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("an unknown kind is accepted: %v", err)
	}
	c, err := parseRationaleCues("problem\tdoesn't work\nverb\tadd\n")
	if err != nil {
		t.Fatal(err)
	}
	if m := c.phrases.match([]byte(normalKey("It just doesn't work here"))); m&cueProblem == 0 {
		t.Error("a phrase with an apostrophe does not match the text it is written like")
	}
	for _, form := range []string{"add", "adds", "added", "adding"} {
		if !c.verbs[form] {
			t.Errorf("verb form %q missing", form)
		}
	}
}

func TestRationaleWeightsFile(t *testing.T) {
	if _, err := ParseRationaleModel("bias\t1\n"); err == nil {
		t.Error("a file with weights missing is accepted")
	}
	if _, err := ParseRationaleModel(rationaleWeightsFile + "nonsense\t1\n"); err == nil {
		t.Error("an unknown feature is accepted")
	}
	m, err := ParseRationaleModel(rationaleWeightsFile)
	if err != nil || *m != *shippedRationaleModel {
		t.Fatalf("the embedded weights do not read back: %v", err)
	}
}

// A pull request's description is judged as one: a one-line reason or
// problem counts, a description of the change alone does not.
func TestPullRequestDescriptions(t *testing.T) {
	tests := []struct {
		title, body string
		want        bool
	}{
		{"Fix export", "The export times out for large accounts.", true},
		{"Handle empty config", "Starting with an empty config file crashed.", true},
		{"Retry S3 uploads", "Fixes #12\n\nWithout retries the nightly backup fails and we skip a night's backup.", true},
		{"Add dark mode", "Adds a dark mode toggle to the settings page.", false},
		{"Fix typo", "Fixes a typo in the docs.", false},
		{"Update README.md", "", false},
		{"Closes #766", "Closes #766", false},
	}
	for _, tt := range tests {
		if got := DetectRationale(tt.title, tt.body, RationaleOptions{PullRequest: true}); got.Present() != tt.want {
			t.Errorf("%q / %q: %s %q, want present %v", tt.title, tt.body, got.Strength, got.Evidence, tt.want)
		}
	}
}
