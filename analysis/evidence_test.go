package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Evidence quotes the author's sentence as written, not the stripped text
// the analysis reads: a quote with its inline code cut out reads as
// nonsense ("" and then hangs forever.").
func TestEvidenceQuotesTheSentenceAsWritten(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{
			"inline code in a why section",
			"### Why\n\nWhen the token expires, `gh auth refresh` prompts for a code and then hangs forever, so nobody behind the proxy can push.\n",
			"Why: When the token expires, `gh auth refresh` prompts for a code and then hangs forever, so nobody behind the proxy can push.",
		},
		{
			"a sentence that starts with code",
			"Repro below.\n\n`npm ci` hangs forever on the mirror, so new contributors cannot build the site at all.",
			"`npm ci` hangs forever on the mirror, so new contributors cannot build the site at all.",
		},
		{
			"a sentence that ends in code",
			"**Problem**\n\nEvery deploy since v2.3 times out for customers on `eu-west-1`",
			"Problem: Every deploy since v2.3 times out for customers on `eu-west-1`",
		},
		{
			"links, emphasis and a mention kept",
			"Since [#4411](https://github.com/acme/web/pull/4411) the export is *much* slower, because @dana's cache is bypassed for every tenant.",
			"Since [#4411](https://github.com/acme/web/pull/4411) the export is *much* slower, because @dana's cache is bypassed for every tenant.",
		},
		{
			"a sentence broken over lines reads as one line",
			"The dashboard renders blank\nfor `admin` users because the\n  `/api/me` call returns 403.\n",
			"The dashboard renders blank for `admin` users because the `/api/me` call returns 403.",
		},
		{
			"template comments inside a section left out",
			"## Motivation\n<!-- Why is this change needed? -->\nUsers on the free plan lose drafts <!-- say who --> because autosave is off.\n",
			"Motivation: Users on the free plan lose drafts because autosave is off.",
		},
		{
			"a list item",
			"- docs\n- `retry=0` makes the uploader give up at once, so large files never reach customers",
			"`retry=0` makes the uploader give up at once, so large files never reach customers",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := DetectRationale("Fix it", tt.body, RationaleOptions{})
			if got.Evidence != tt.want {
				t.Fatalf("evidence =\n  %q\nwant\n  %q", got.Evidence, tt.want)
			}
		})
	}
}

func TestConcernEvidenceQuotesTheSentenceAsWritten(t *testing.T) {
	body := "Looks fine otherwise.\n\nWith `--workers=1` the import takes 40 seconds per file, which makes it unusable for customers with large catalogs."
	a := testAnalyzer.AnalyzeComment(body)
	if !a.ProductLevel {
		t.Fatalf("not product-level: %+v", a)
	}
	for _, e := range a.Evidence {
		if !strings.HasPrefix(e.Text, "With `--workers=1` the import takes 40 seconds") {
			t.Errorf("%s evidence = %q; want the sentence with its inline code", e.Concern, e.Text)
		}
	}
}

func TestBlockOriginal(t *testing.T) {
	tests := []struct {
		md   string
		want []string // Original of each block's whole text
	}{
		{"# Why `x`?\n\nplain text", []string{"Why `x`?", "plain text"}},
		{"* item with <kbd>Ctrl</kbd>+C\n\n![shot](a.png) the button moved", []string{"item with <kbd>Ctrl</kbd>+C", "![shot](a.png) the button moved"}},
		{"see https://example.com/x for details", []string{"see https://example.com/x for details"}},
		{"a\r\nb\r\n", []string{"a b"}},
		{"<!-- open\nstill open -->after the comment", []string{"after the comment"}},
		{"``a ` b`` starts it", []string{"``a ` b`` starts it"}},
	}
	for _, tt := range tests {
		var got []string
		for _, b := range Prose(tt.md) {
			got = append(got, b.Original(0, len(b.Text)))
		}
		if strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Prose(%q) originals = %q, want %q", tt.md, got, tt.want)
		}
	}
}

// collapse reads a body as the evidence quotes it: HTML comments left
// out, every run of white space one space.
func collapse(s string) string { return cleanOriginal(s) }

// verbatim reports whether evidence is the author's words as written: a
// sentence of the body, or a field's heading, ": " and a sentence of it,
// possibly cut short with "…".
func verbatim(evidence, title, body string) bool {
	e := strings.TrimSuffix(evidence, "…")
	text := collapse(body)
	if strings.Contains(text, e) || strings.Contains(title, e) {
		return true
	}
	for i := strings.Index(e, ": "); i >= 0; {
		if strings.Contains(text, e[:i]) && strings.Contains(text, e[i+2:]) {
			return true
		}
		j := strings.Index(e[i+2:], ": ")
		if j < 0 {
			break
		}
		i += 2 + j
	}
	return false
}

// Rationale evidence is always the author's words as written, never text
// the reader assembled from what was left after dropping code, links or
// tags: on the team's issues and on the real pools when they are beside
// the project.
func TestRationaleEvidenceIsVerbatim(t *testing.T) {
	type text struct{ title, body string }
	var texts []text
	for _, name := range []string{"issues_dev.tsv", "issues_heldout.tsv"} {
		for _, i := range loadIssues(t, name) {
			texts = append(texts, text{i.title, i.body})
		}
	}
	for _, s := range fuzzSeeds {
		texts = append(texts, text{s, s})
	}
	if os.Getenv("OWNERSHIPBOT_REAL_DATA") != "" || fileExists(filepath.Join(rationaleRealDataDir(), "labels")) {
		for _, it := range loadRationaleReal(t) {
			texts = append(texts, text{it.Title, it.Body})
		}
	}
	checked := 0
	for _, x := range texts {
		r := DetectRationale(x.title, x.body, RationaleOptions{})
		if !r.Present() {
			continue
		}
		checked++
		if !verbatim(r.Evidence, x.title, x.body) {
			t.Errorf("evidence %q is not the author's words as written in %.200q", r.Evidence, x.body)
		}
	}
	if checked < 100 {
		t.Errorf("only %d texts with a reason checked", checked)
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
