package mdtext

import (
	"regexp"
	"strings"
	"testing"
)

// sentences are the kinds of text a quote has to survive.
var sentences = []string{
	"users lose data because the `sync` job hangs",
	"`npm ci` hangs forever",
	"ends in a fence ``",
	"a ``` fenced ``` word and a ` tick",
	"@dana said **this** breaks [the docs](https://x.test) for #12 <b>all</b> | pipes",
	"`",
	"` `",
	"plain words",
	"*not emphasis* _nor this_ \\ backslash & <!-- comment --> ~~strike~~",
	"- not a list item",
	"12. nor an ordered one",
	"= no heading underline",
	"see https://evil.test/x, www.evil.test, GH-12 and mail@evil.test",
}

// codeSpanContent reads a code span the way CommonMark does: a run of n
// backticks, content, the same run; no run of exactly n backticks inside;
// one space stripped from each side when both sides have one.
func codeSpanContent(t *testing.T, span string) string {
	t.Helper()
	n := len(span) - len(strings.TrimLeft(span, "`"))
	fence := span[:n]
	if n == 0 || len(span) < 2*n+1 || !strings.HasSuffix(span, fence) || strings.HasSuffix(span[:len(span)-n], "`") {
		t.Fatalf("%q is not one code span", span)
	}
	inner := span[n : len(span)-n]
	for _, run := range regexp.MustCompile("`+").FindAllString(inner, -1) {
		if len(run) == n {
			t.Fatalf("%q closes early at a run of %d backticks", span, n)
		}
	}
	if len(inner) >= 2 && inner[0] == ' ' && inner[len(inner)-1] == ' ' && strings.Trim(inner, " ") != "" {
		inner = inner[1 : len(inner)-1]
	}
	return inner
}

func TestCodeSpanShowsTheTextAsWritten(t *testing.T) {
	for _, s := range sentences {
		got := CodeSpan(s)
		if c := codeSpanContent(t, got); c != s {
			t.Errorf("CodeSpan(%q) = %q, which shows %q", s, got, c)
		}
	}
	if CodeSpan(" \n ") != "" {
		t.Error("blank text gives a code span")
	}
	if got := CodeSpan("two\nlines"); got != "`two lines`" {
		t.Errorf("a line break is kept: %q", got)
	}
}

// mention finds what GitHub turns into a notification or a link: @name,
// #12, GH-12, an autolinked address, or a line that starts a list.
var mention = regexp.MustCompile(`(^|[^\w])@[A-Za-z0-9]|(^|[^\w&])#[0-9]|(?i)\bgh-[0-9]|://|(^|[\s*_~(])www\.|^([-+=]|[0-9]+[.)])( |$)`)

func TestEscapeShowsTheTextAsWrittenAndNotifiesNobody(t *testing.T) {
	unescape := strings.NewReplacer(wordJoiner, "")
	for _, s := range sentences {
		got := Escape(s)
		if mention.MatchString(got) {
			t.Errorf("Escape(%q) = %q still mentions or references", s, got)
		}
		shown := unescape.Replace(regexp.MustCompile(`\\(.)`).ReplaceAllString(got, "$1"))
		if shown != strings.Join(strings.Fields(s), " ") {
			t.Errorf("Escape(%q) shows %q", s, shown)
		}
		if strings.Contains(regexp.MustCompile(`\\.`).ReplaceAllString(got, ""), "|") {
			t.Errorf("Escape(%q) = %q leaves a bare pipe that splits a table cell", s, got)
		}
	}
}

func TestShorten(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short enough", 20, "short enough"},
		{"one two  three\nfour", 20, "one two three four"},
		{"one two three four", 9, "one two…"},
		{"ééééé", 3, "éé…"},
	}
	for _, tt := range tests {
		if got := Shorten(tt.in, tt.max); got != tt.want {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}
