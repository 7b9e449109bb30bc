package botcomment

import (
	"fmt"
	"strings"
	"testing"
)

// hostile is text an issue's author or a configuration file's author could
// write to make the bot notify, link or show something: every kind of
// Markdown GitHub acts on, backtick runs that try to close a code span, and
// line breaks that try to end one. Each piece carries EVIL, so that any of
// it outside code shows.
func hostile(where string) string {
	return "EVIL" + where + " `@acme/security` EVIL ``@EVIL-team`` #4242EVIL EVIL/repo#1 " +
		"<img src=x onerror=EVIL> <!--EVIL--> [EVIL](https://evil.example) ![EVIL](https://evil.example/p.png) " +
		"https://EVIL.example @EVIL\n\n@EVIL-after-a-blank-line ```EVIL``` `"
}

// outsideCode returns a comment's text outside code spans, without the
// bot's own markup (its marker, <sub> and the link to the docs), which is
// all that may act as Markdown.
func outsideCode(comment, docs string) string {
	comment = strings.ReplaceAll(comment, Marker, "")
	comment = strings.ReplaceAll(comment, "[Learn more](<"+docs+">)", "")
	comment = strings.NewReplacer("<sub>", "", "</sub>", "").Replace(comment)
	var out []string
	for _, line := range strings.Split(comment, "\n") {
		outside, _ := splitCode(line)
		out = append(out, outside)
	}
	return strings.Join(out, "\n")
}

// checkNothingEscapes fails unless every piece of hostile text the comment
// shows is inside code, and the comment acts on nothing else (no mention,
// reference, HTML, link or image of its own beyond its markup).
func checkNothingEscapes(t *testing.T, comment, docs string, shown ...string) {
	t.Helper()
	outside := outsideCode(comment, docs)
	for _, bad := range []string{"EVIL", "@", "#4242", "<", "](", "!["} {
		if strings.Contains(outside, bad) {
			t.Errorf("%q outside code in:\n%s\n(outside code: %q)", bad, comment, outside)
		}
	}
	for _, w := range shown {
		if !strings.Contains(comment, w) {
			t.Errorf("the comment does not show %q, in code:\n%s", w, comment)
		}
	}
}

const docs = "https://docs.example/config"

func TestNothingFromAnIssueOrAConfigLeavesCodeInAnIssueComment(t *testing.T) {
	fields := []string{hostile("field1"), hostile("field2"), hostile("field3"), hostile("field4"), hostile("field5"), hostile("field6"), hostile("field7")}
	base := IssueStatus{LabelPattern: hostile("pattern"), OwnerFields: fields, DocsURL: docs,
		ConfigSource: hostile("source"), ConfigProblem: "`line 1: \"@acme EVIL\" is not a setting`"}
	owner := hostile("owner")
	why := hostile("evidence")
	for _, tc := range []struct {
		name   string
		status func(IssueStatus) IssueStatus
		shown  []string
	}{
		{"nothing found", func(s IssueStatus) IssueStatus { return s }, []string{"EVILfield1", "EVILfield5", "EVILpattern", "EVILsource"}},
		{"owner only", func(s IssueStatus) IssueStatus { s.Owner, s.OwnerSource = owner, "label"; return s }, []string{"EVILowner"}},
		{"reason only", func(s IssueStatus) IssueStatus { s.HasRationale, s.RationaleEvidence = true, why; return s }, []string{"EVILevidence", "EVILfield1"}},
		{"complete", func(s IssueStatus) IssueStatus {
			s.Owner, s.OwnerSource, s.HasRationale, s.RationaleEvidence = owner, "body", true, why
			return s
		}, []string{"EVILowner", "EVILevidence"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := RenderIssue(tc.status(base))
			checkNothingEscapes(t, got, docs, tc.shown...)
			if strings.Contains(got, "EVILfield6") {
				t.Errorf("more than %d owner fields listed:\n%s", maxFields, got)
			}
		})
	}
}

func TestNothingFromAnIssueOrAConfigLeavesCodeInAPullRequestComment(t *testing.T) {
	links := []PullLink{
		{Ref: hostile("owned"), Closing: true, Kind: LinkIssue, Owner: hostile("owner"), HasRationale: true},
		{Ref: hostile("unowned"), Kind: LinkIssue},
		{Ref: hostile("pull"), Kind: LinkPullRequest},
		{Ref: hostile("outside"), Kind: LinkOutside},
		{Ref: hostile("missing"), Kind: LinkMissing},
	}
	discussion := Discussion{Total: 3, ProductLevel: 2, Concerns: []string{"performance", hostile("concern")}}
	for _, tc := range []struct {
		name   string
		status PullRequestStatus
		shown  []string
	}{
		{"every kind of link, owned and reasoned", PullRequestStatus{Links: links, Discussion: discussion},
			[]string{"EVILowned", "EVILowner", "EVILunowned", "EVILpull", "EVILoutside", "EVILmissing", "EVILconcern"}},
		{"a reason in the description", PullRequestStatus{HasReason: true, ReasonEvidence: hostile("reason"), Links: links[1:]},
			[]string{"EVILreason"}},
		{"a linked issue required and missing", PullRequestStatus{RequireLinkedIssue: true, HasReason: true, ReasonEvidence: hostile("reason"), Links: links[2:]},
			[]string{"EVILreason", "EVILmissing"}},
		{"an owned link, no reason anywhere", PullRequestStatus{Links: []PullLink{{Ref: hostile("owned"), Kind: LinkIssue, Owner: hostile("owner")}}},
			[]string{"EVILowner"}},
		{"nothing at all, discussion without concerns", PullRequestStatus{Discussion: Discussion{Total: 2}}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.status.DocsURL = docs
			checkNothingEscapes(t, RenderPullRequest(tc.status), docs, tc.shown...)
		})
	}
}

func TestLongValuesAreCutToKeepTheCommentShort(t *testing.T) {
	long := strings.Repeat("x", 66_000)
	s := IssueStatus{Owner: "@" + long, OwnerSource: "label", LabelPattern: long, OwnerFields: []string{long, long}, DocsURL: docs}
	if got := RenderIssue(s); len(got) > 2_000 {
		t.Errorf("a comment repeating 66,000-character values is %d bytes long", len(got))
	}
	p := PullRequestStatus{Links: []PullLink{{Ref: long, Kind: LinkIssue, Owner: long}}, DocsURL: docs}
	if got := RenderPullRequest(p); len(got) > 2_000 {
		t.Errorf("a pull request comment repeating 66,000-character values is %d bytes long", len(got))
	}
}

func TestCodeKeepsEveryBacktickRunInside(t *testing.T) {
	for _, text := range []string{"`", "``", "a`b", "a``b`c", "```", "`@x`", fmt.Sprint("`@x", strings.Repeat("`", 9))} {
		outside, spans := splitCode(code(text, maxName))
		if strings.TrimSpace(outside) != "" || len(spans) != 1 || strings.TrimSpace(spans[0]) != text {
			t.Errorf("code(%q) = %q: outside %q, spans %q", text, code(text, maxName), outside, spans)
		}
	}
}
