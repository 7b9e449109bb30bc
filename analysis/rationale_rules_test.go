package analysis

import "testing"

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

func TestHowToTitlesAreRequestsForHelp(t *testing.T) {
	body := "### Motivation\n\nI want the invoices as spreadsheets and I cannot find the setting."
	if r := DetectRationale("How do I export invoices to a spreadsheet?", body, RationaleOptions{}); r.Present() {
		t.Errorf("a how-to question's form field reads as a reason: %+v", r)
	}
	if r := DetectRationale("Invoice export to spreadsheets", body, RationaleOptions{}); !r.Present() {
		t.Errorf("the same field under a plain title is not read: %+v", r)
	}
}
