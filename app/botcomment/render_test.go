package botcomment

import (
	"slices"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/mdtext"
)

func TestRenderIssue(t *testing.T) {
	base := IssueStatus{LabelPattern: "owner:*", OwnerFields: []string{"Owner", "DRI"}, DocsURL: "https://docs.example/config"}
	withOwner := base
	withOwner.Owner, withOwner.OwnerSource = "@alice", "assignee"
	withWhy := base
	withWhy.HasRationale, withWhy.RationaleEvidence = true, "### Problem"
	both := withOwner
	both.HasRationale, both.RationaleEvidence = true, "so that admins can export audit logs"
	broken := base
	broken.ConfigSource, broken.ConfigProblem = "acme/web/.github/ownership.yml", `line 1: "comments" is not a setting`
	brokenOrg := broken
	brokenOrg.ConfigSource = "acme/.github/.github/ownership.yml"

	tests := []struct {
		name      string
		status    IssueStatus
		want, not []string
	}{
		{"nothing found says both and how to fix each", base,
			[]string{"no owner yet and does not say why", "assign someone", "`Owner: @login`", "labels matching `owner:*`", "`### Why`", "https://docs.example/config"}, nil},
		{"owner only asks for the reason", withOwner,
			[]string{"does not say why", "`@alice` (assignee)"}, []string{"assign someone"}},
		{"reason only asks for the owner", withWhy,
			[]string{"no owner yet", "(`### Problem`)"}, []string{"`### Why` section"}},
		{"complete thanks and asks nothing", both,
			[]string{"Owner and rationale found"}, []string{"To fix it"}},
		{"config problem is explained", broken,
			[]string{"acme/web/.github/ownership.yml` could not be used", "runs without it (on the organisation's settings, or the defaults)", `"comments" is not a setting`}, nil},
		{"the org's broken file is not said to be fallen back on", brokenOrg,
			[]string{"acme/.github/.github/ownership.yml` could not be used", "the repositories of the organisation run without it"}, []string{"organisation's settings"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderIssue(tt.status)
			if !strings.HasPrefix(got, Marker) {
				t.Fatalf("comment does not start with the marker:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("unexpected %q in:\n%s", n, got)
				}
			}
		})
	}
}

func TestRenderIssueNeverPingsAnyone(t *testing.T) {
	s := IssueStatus{Owner: "@alice", OwnerSource: "body", HasRationale: false}
	got := RenderIssue(s)
	// An @mention outside a code span notifies the person.
	for _, line := range strings.Split(got, "\n") {
		if outside, _ := splitCode(line); strings.Contains(outside, "@alice") {
			t.Fatalf("the owner is mentioned outside code, which would notify them:\n%s", line)
		}
	}
}

// splitCode reads a line's code spans as CommonMark does (a run of
// backticks closed by the next run of the same length) and returns the text
// outside them and what each span shows.
func splitCode(line string) (outside string, spans []string) {
	var out strings.Builder
	for i := 0; i < len(line); {
		if line[i] != '`' {
			out.WriteByte(line[i])
			i++
			continue
		}
		n := 0
		for i+n < len(line) && line[i+n] == '`' {
			n++
		}
		closing := -1
		for j := i + n; j < len(line); {
			if line[j] != '`' {
				j++
				continue
			}
			m := 0
			for j+m < len(line) && line[j+m] == '`' {
				m++
			}
			if m == n {
				closing = j
				break
			}
			j += m
		}
		if closing < 0 {
			out.WriteString(line[i : i+n])
			i += n
			continue
		}
		inner := line[i+n : closing]
		if len(inner) >= 2 && inner[0] == ' ' && inner[len(inner)-1] == ' ' && strings.Trim(inner, " ") != "" {
			inner = inner[1 : len(inner)-1]
		}
		spans = append(spans, inner)
		i = closing + n
	}
	return out.String(), spans
}

// The evidence is the author's sentence as written: quoting it must show it
// unchanged, keep the comment's own Markdown intact and notify nobody.
func TestRenderQuotesEvidenceAsWrittenAndPingsNobody(t *testing.T) {
	evidences := []string{
		"Why: `gh auth refresh` prompts for a code and then hangs forever",
		"@dana's cache is bypassed, see #4411 and **this** [link](https://x.test)",
		"ends in ``double`` ticks `",
		"a \"quote\" and a ` lone tick, *emphasis* <b>tag</b>",
	}
	for _, ev := range evidences {
		issue := IssueStatus{Owner: "@alice", OwnerSource: "body", HasRationale: true, RationaleEvidence: ev}
		pull := PullRequestStatus{HasReason: true, ReasonEvidence: ev}
		for _, comment := range []string{RenderIssue(issue), RenderPullRequest(pull)} {
			var shown []string
			for _, line := range strings.Split(comment, "\n") {
				outside, spans := splitCode(line)
				if strings.Contains(outside, "@dana") || strings.Contains(outside, "#4411") || strings.Contains(outside, "<b>") {
					t.Errorf("evidence %q escapes its quote: %q", ev, line)
				}
				shown = append(shown, spans...)
			}
			if !slices.Contains(shown, ev) {
				t.Errorf("evidence %q is not shown as written; code spans show %q", ev, shown)
			}
		}
	}
	long := strings.Repeat("users lose work ", 20)
	got := RenderIssue(IssueStatus{HasRationale: true, RationaleEvidence: long})
	if _, spans := splitCode(strings.Split(got, "\n")[1]); len(spans) != 1 || !strings.HasSuffix(spans[0], "…") || len([]rune(spans[0])) > maxQuote {
		t.Errorf("a long reason is not cut to %d characters: %q", maxQuote, spans)
	}
}

func TestHashChangesWithText(t *testing.T) {
	a := Hash("a")
	if a == Hash("b") || a != Hash("a") {
		t.Fatal("hash does not identify text")
	}
}

// The org's own opening line shows as written, first, and pings, links and
// formats nothing: it comes from a file anyone with push access can edit.
func TestIntroOpensTheCommentAsPlainText(t *testing.T) {
	intro := "- Please @acme/security see #12, https://evil.test and www.evil.test <b>now</b> [x](y)"
	for name, got := range map[string]string{
		"issue":        RenderIssue(IssueStatus{Intro: intro, DocsURL: "https://wiki.acme.test/own"}),
		"pull request": RenderPullRequest(PullRequestStatus{Intro: intro, DocsURL: "https://wiki.acme.test/own"}),
	} {
		lines := strings.Split(got, "\n")
		if lines[0] != Marker || !strings.HasPrefix(lines[1], `\- Please @`) || lines[2] != "" {
			t.Errorf("%s: the intro does not open the comment on its own line:\n%s", name, got)
		}
		for _, live := range []string{"@acme", "#12", "https://evil", "www.evil", "<b>", "[x](y)"} {
			if strings.Contains(lines[1], live) {
				t.Errorf("%s: %q is live in the intro line %q", name, live, lines[1])
			}
		}
		if !strings.Contains(got, "[Learn more](<https://wiki.acme.test/own>)") {
			t.Errorf("%s: the footer does not link the configured docs:\n%s", name, got)
		}
	}
	if got := RenderIssue(IssueStatus{DocsURL: "https://x.test"}); strings.Split(got, "\n")[1] == "" {
		t.Errorf("without an intro the comment starts with a blank line:\n%s", got)
	}
}

func TestClosedCommentIsOneLine(t *testing.T) {
	for _, tc := range []struct {
		status IssueStatus
		want   string
	}{
		{IssueStatus{}, "This issue was closed without an owner or a stated reason."},
		{IssueStatus{HasRationale: true}, "This issue was closed without an owner."},
		{IssueStatus{Owner: "@alice"}, "This issue was closed without a stated reason."},
	} {
		if got := RenderClosed(tc.status); got != Marker+"\n"+tc.want+"\n" {
			t.Errorf("RenderClosed(%+v) = %q, want the marker and %q", tc.status, got, tc.want)
		}
	}
}

// From the body to the comment: the reason the analysis finds is shown as
// its author wrote it, inline code and all, never the stripped text the
// analysis reads (which once showed `Rationale: “" and then hangs
// forever.”`).
func TestRenderQuotesDetectedReasonAsWritten(t *testing.T) {
	bodies := []string{
		"Running `gh auth refresh --hostname \"` and then hangs forever, so nobody behind the proxy can push.",
		"### Why\n\n`npm ci` hangs forever on the mirror, so new contributors cannot build the site at all.",
		"**Impact:** every deploy since `v2.3` times out for customers on `eu-west-1`.",
		"Since [#4411](https://github.com/acme/web/pull/4411) the export is *much* slower, because @dana's cache is bypassed.",
	}
	for _, body := range bodies {
		r := analysis.DetectRationale("Fix it", body, analysis.RationaleOptions{})
		if !r.Present() {
			t.Fatalf("no reason found in %q", body)
		}
		comment := RenderIssue(IssueStatus{Owner: "@alice", OwnerSource: "body", HasRationale: true, RationaleEvidence: r.Evidence})
		var shown []string
		for _, line := range strings.Split(comment, "\n") {
			_, spans := splitCode(line)
			shown = append(shown, spans...)
		}
		if want := mdtext.Shorten(r.Evidence, maxQuote); !slices.Contains(shown, want) {
			t.Errorf("reason %q is not shown as found; code spans show %q", want, shown)
		}
		sentence := r.Evidence
		if h, rest, ok := strings.Cut(sentence, ": "); ok && strings.Contains(body, h) && !strings.Contains(body, sentence) {
			sentence = rest // "Why: " names the field it was written under
		}
		if !strings.Contains(body, sentence) {
			t.Errorf("reason %q is not a sentence of %q as written", r.Evidence, body)
		}
	}
}
