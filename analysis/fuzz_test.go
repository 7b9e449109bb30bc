package analysis

import (
	"strings"
	"testing"
	"unicode/utf8"
)

var fuzzSeeds = []string{
	"",
	"This adds 300ms to checkout.",
	"```go\nx := 1\n```\nslow for users",
	"~~~\nunterminated fence",
	"<!-- open comment\nstill open",
	"> quote\n>> nested\n\nprose",
	"# Heading\n### Why\n_No response_\n- [ ] task\n1. item",
	"`code` and ``double `tick` code`` and `unterminated",
	"![img](http://x/y.png) [link](http://a) <b>bold</b> <",
	"Traceback (most recent call last):\n  File \"a.py\", line 1\nKeyError: 'x'",
	"    indented code\n\tmore",
	"| a | b |\n|---|---|\n| 1 | 2 |",
	"Fixes #12, closes acme/web#3 https://github.com/a/b/issues/9",
	"\xff\xfe\x00 invalid utf8 \xc3",
	strings.Repeat("[", 1000) + strings.Repeat("](", 500),
	"**Owner:** @acme/team\n### Owner\n\n@bob",
}

// FuzzProse checks the Markdown reader and everything built on it on any
// bytes: no panic, output no larger than the input, invariants of the
// analysis results.
func FuzzProse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, md string) {
		blocks := Prose(md)
		// the reading rationale detection asks for, which also reads
		// prose in plain-text fences and lines starting with inline code
		readProseWith(md, proseFenceText|proseInlineFences, func(b Block) { blocks = append(blocks, b) })
		total := 0
		for _, b := range blocks {
			total += len(b.Text)
			if b.Kind == BlockHeading && (b.Level < 1 || b.Level > 6) {
				t.Fatalf("heading level %d", b.Level)
			}
			if strings.Contains(b.Text, "\n") {
				t.Fatalf("block text holds a newline: %q", b.Text)
			}
			forEachSentenceAt(b.Text, func(s string, at int) {
				if b.Text[at:at+len(s)] != s {
					t.Fatalf("sentence %q is not at %d of %q", s, at, b.Text)
				}
				o := b.Original(at, at+len(s))
				if o == "" || len(o) > len(md) || strings.ContainsAny(o, "\n\r") {
					t.Fatalf("original of %q is %q", s, o)
				}
				if utf8.ValidString(md) && !utf8.ValidString(o) {
					t.Fatalf("original %q is not valid UTF-8", o)
				}
			})
		}
		if total > 2*(len(md)+len(blocks)) {
			t.Fatalf("prose (%d bytes) is larger than the input (%d bytes)", total, len(md))
		}
		a := testAnalyzer.AnalyzeComment(md)
		if a.ProductLevel != (len(a.Concerns) > 0) {
			t.Fatalf("product level %v with concerns %v", a.ProductLevel, a.Concerns)
		}
		if len(a.Evidence) != len(a.Concerns) {
			t.Fatalf("%d evidence for %d concerns", len(a.Evidence), len(a.Concerns))
		}
		for _, e := range a.Evidence {
			if e.Text == "" || len(e.Text) > maxEvidence+len("…") {
				t.Fatalf("evidence %q", e.Text)
			}
			if utf8.ValidString(md) && !utf8.ValidString(e.Text) {
				t.Fatalf("evidence %q is not valid UTF-8", e.Text)
			}
		}
		for _, pr := range []bool{false, true} {
			r := DetectRationale(md, md, RationaleOptions{Headings: []string{"Customer ask"}, PullRequest: pr})
			if r.Present() != (r.Evidence != "") || r.Present() != (r.Strength == StrengthWeak || r.Strength == StrengthStrong) {
				t.Fatalf("rationale %+v", r)
			}
			if utf8.ValidString(md) && !utf8.ValidString(r.Evidence) {
				t.Fatalf("rationale evidence %q is not valid UTF-8", r.Evidence)
			}
			if f, _ := ReadRationale(md, md, RationaleOptions{PullRequest: pr}); f[featBias] != 1 {
				t.Fatalf("features %v", f)
			}
		}
		if o, ok := DetectOwner(OwnerInput{Body: md, Labels: []string{md}}, OwnerOptions{}); ok && !strings.HasPrefix(o.Name, "@") {
			t.Fatalf("owner %+v", o)
		}
		for _, l := range ParseLinks(md, md) {
			if l.Number <= 0 || l.Text == "" {
				t.Fatalf("link %+v", l)
			}
		}
	})
}
