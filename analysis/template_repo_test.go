package analysis

import "testing"

// A repository's own template, left unchanged, is not a reason; what the
// author writes into it is.
func TestRepositoryTemplatesAreNotReasons(t *testing.T) {
	template := "## What problem does this solve?\n\nExplain the user pain and who feels it, so reviewers can weigh the change.\n\n" +
		"## How was it tested?\n\nList the commands you ran, because CI does not cover the installer.\n"
	issueForm := "Thanks for helping us make exports better!\n\n### Impact\n\nWho is blocked, and how badly? Tell us so we can prioritise.\n"
	opts := RationaleOptions{}.WithTemplates(template, issueForm)

	unchanged := template
	if r := DetectRationale("Speed up export", unchanged, RationaleOptions{}); !r.Present() {
		t.Fatalf("without the repository's template its text reads as a reason: this test shows nothing (%+v)", r)
	}
	if r := DetectRationale("Speed up export", unchanged, opts); r.Present() {
		t.Errorf("an unchanged repository template reads as a reason: %+v", r)
	}
	filled := "## What problem does this solve?\n\nExplain the user pain and who feels it, so reviewers can weigh the change.\n\n" +
		"Exports time out for accounts with more than ten thousand rows, so admins cannot download their invoices.\n"
	if r := DetectRationale("Speed up export", filled, opts); r.Strength != StrengthStrong {
		t.Errorf("what the author wrote into the template is not read: %+v", r)
	}
	form := "### Impact\n\nWho is blocked, and how badly? Tell us so we can prioritise.\n"
	if r := DetectRationale("Export", form, opts); r.Present() {
		t.Errorf("an issue form's own description reads as a reason: %+v", r)
	}
	// Options built without WithTemplates read the templates themselves.
	if r := DetectRationale("Speed up export", unchanged, RationaleOptions{Templates: []string{template}}); r.Present() {
		t.Errorf("Templates without WithTemplates are not used: %+v", r)
	}
}
