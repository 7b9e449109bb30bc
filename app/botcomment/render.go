// Package botcomment writes the text of ownershipbot's one comment per issue
// or pull request (see docs/reference.md). It is pure: the caller decides
// whether to write it and where.
package botcomment

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/analysis/mdtext"
)

// Marker identifies the bot's comment among all comments of an issue.
const Marker = "<!-- ownershipbot:report -->"

// IssueStatus is what the bot knows of an issue when it writes.
type IssueStatus struct {
	Owner       string // "@login" or "@org/team"; empty when none
	OwnerSource string // "assignee", "body", "field", "label"
	// RationaleEvidence is what stated the reason; HasRationale says if any did.
	HasRationale      bool
	RationaleEvidence string
	// LabelPattern and OwnerFields are what owner detection looked at, so the
	// comment can say where it looked.
	LabelPattern string
	OwnerFields  []string
	// ConfigProblem, when set, is a broken configuration file to report once:
	// its path and the problems in plain words.
	ConfigSource, ConfigProblem string
	// Intro is the organisation's own opening line (nudge.intro), shown as
	// plain text; DocsURL is where "Learn more" points (nudge.docs_url).
	Intro   string
	DocsURL string
}

// Complete reports whether both an owner and a rationale are there.
func (s IssueStatus) Complete() bool { return s.Owner != "" && s.HasRationale }

// RenderIssue returns the comment for an issue. It names only the owner
// found in the issue itself, as code, so nobody is notified by the bot.
func RenderIssue(s IssueStatus) string {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	if intro := mdtext.Escape(s.Intro); intro != "" {
		b.WriteString(intro + "\n\n")
	}
	switch {
	case s.Complete():
		fmt.Fprintf(&b, "**Owner and rationale found** — thanks. Owner: %s (%s). Rationale: %s.\n", code(s.Owner, maxName), sourceWords(s.OwnerSource), quote(s.RationaleEvidence))
	case s.Owner == "" && !s.HasRationale:
		b.WriteString("**This issue has no owner yet and does not say why it matters.**\n\n")
		b.WriteString(ownerHelp(s))
		b.WriteString(rationaleHelp())
	case s.Owner == "":
		fmt.Fprintf(&b, "**This issue has no owner yet.** Its rationale is clear (%s).\n\n", quote(s.RationaleEvidence))
		b.WriteString(ownerHelp(s))
	default:
		fmt.Fprintf(&b, "**This issue does not say why it matters yet.** Owner: %s (%s).\n\n", code(s.Owner, maxName), sourceWords(s.OwnerSource))
		b.WriteString(rationaleHelp())
	}
	if s.ConfigProblem != "" {
		// ConfigProblem is Markdown from config.Summary: each problem, with
		// whatever the file said, already in code.
		fallback := "this repository runs without it (on the organisation's settings, or the defaults)"
		if strings.HasSuffix(s.ConfigSource, "/.github/.github/ownership.yml") { // the org's own file
			fallback = "the repositories of the organisation run without it (on their own files, or the defaults)"
		}
		fmt.Fprintf(&b, "\n> [!WARNING]\n> %s could not be used, so %s: %s\n", code(s.ConfigSource, maxName), fallback, s.ConfigProblem)
	}
	b.WriteString("\n" + footer("issue", s.DocsURL))
	return b.String()
}

// footer closes a comment: the bot keeps it current, and where to learn
// more. docsURL was checked by the configuration (an http or https address
// without spaces or angle brackets), so the link's <...> form holds it.
func footer(thread, docsURL string) string {
	return fmt.Sprintf("<sub>ownershipbot keeps this comment up to date as the %s changes. [Learn more](<%s>); settings live in `.github/ownership.yml`.</sub>\n", thread, docsURL)
}

// RenderClosed returns what the comment of an issue closed while it still
// asked for something becomes: one line saying what it closed without, so it
// stops reading as a nudge.
func RenderClosed(s IssueStatus) string {
	var missing string
	switch {
	case s.Owner == "" && !s.HasRationale:
		missing = "an owner or a stated reason"
	case s.Owner == "":
		missing = "an owner"
	default:
		missing = "a stated reason"
	}
	return Marker + "\nThis issue was closed without " + missing + ".\n"
}

func ownerHelp(s IssueStatus) string {
	where := []string{"assignees"}
	var fields []string
	for _, f := range s.OwnerFields {
		if f = code(f+":", maxName); f != "" && len(fields) < maxFields {
			fields = append(fields, f)
		}
	}
	if len(fields) > 0 {
		where = append(where, strings.Join(fields, "/")+" lines")
	}
	if s.LabelPattern != "" {
		where = append(where, "labels matching "+code(s.LabelPattern, maxName))
	}
	return fmt.Sprintf("- **Owner:** none found in %s. To fix it, assign someone, or add a line `Owner: @login` (or `@org/team`) to the description.\n", figures.Words(where))
}

func rationaleHelp() string {
	return "- **Why:** no problem, need or impact stated. To fix it, add a `### Why` section saying who is affected and what changes for them (for a bug: expected versus actual behaviour).\n"
}

func sourceWords(source string) string {
	switch source {
	case "assignee":
		return "assignee"
	case "body":
		return "named in the description"
	case "field":
		return "issue form field"
	case "label":
		return "label"
	}
	return "found"
}

// maxQuote caps an evidence quote in the comment, in characters.
const maxQuote = 80

// maxName caps anything else the comment repeats from an issue or a
// configuration file (an owner, a reference, a setting's value), in
// characters; maxFields caps the owner fields listed.
const (
	maxName   = 120
	maxFields = 5
)

// code shows text from an issue or a configuration file as inline code, cut
// to max characters on one line: inside code, GitHub renders no mention,
// reference, link, image or HTML. Every such text reaches the comment
// through code or quote.
func code(text string, max int) string {
	return mdtext.CodeSpan(mdtext.Shorten(text, max))
}

// quote shows the author's sentence as written, as inline code: its
// backticks, Markdown and @mentions show as typed and notify nobody.
func quote(evidence string) string {
	e := mdtext.CodeSpan(mdtext.Shorten(evidence, maxQuote))
	if e == "" {
		return "stated"
	}
	return e
}

// Hash identifies a comment's text, to skip writes that change nothing.
func Hash(text string) string {
	sum := sha256.Sum256([]byte(text))
	return hex.EncodeToString(sum[:16])
}

// HasMarker reports whether a comment body is the bot's report.
func HasMarker(body string) bool { return strings.Contains(body, Marker) }
