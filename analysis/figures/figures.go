// Package figures defines, once, the figures leaders read about ownership
// and participation: what each one counts, what it divides by, and the name
// it goes by. The leaders' page, `ownershipbot report`, the demo summary, the
// metrics' help texts and the dashboards all take their words and their
// arithmetic from here, so "with an owner" or "engineers' share" never means
// two things (the README's "Definitions" section says the same in prose).
//
// The rules:
//   - Issues and pull requests are counted while open: open issues are the
//     denominator of every ownership share. Closed ones are counted apart.
//   - A pull request has a reason when its own title or description states
//     one or an issue it links has one; it is linked to an owned issue when
//     any issue it refers to (with a closing keyword or a plain reference
//     such as "part of #12", as analysis.ParseLinks reads them) has an owner.
//   - Two different engineers' figures, never to be confused: the share of
//     engineers' comments that are product-level (of what engineers write,
//     how much reasons about users and outcomes) and engineers' share of
//     product-level comments (of the product-level discussion, how much
//     engineers wrote).
//
// The package is pure: plain counts in, numbers and words out.
package figures

import (
	"fmt"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
)

// Names of the figures, as every face shows them.
const (
	NameOpenIssues    = "open issues"
	NameClosedIssues  = "closed issues"
	NameWithOwner     = "with an owner"
	NameWithRationale = "with a rationale"
	NameWithBoth      = "with both"
	NameTimeToOwner   = "time to owner"

	NameOpenPulls          = "open pull requests"
	NameLinkedToOwnedIssue = "linked to an owned issue"
	NameWithReason         = "with a reason"

	// The two engineers' figures.
	NameEngineersProductLevel      = "share of engineers' comments that are product-level"
	NameEngineersShareOfProduct    = "engineers' share of product-level comments"
	NameProductPeopleProductLevel  = "share of product people's comments that are product-level"
	NameProductLevelComments       = "product-level comments"
	NameConcernMix                 = "concern mix"
	NameReviewDiscussionProduction = "product-level share of review discussion"
)

// Definitions says in one sentence what each figure counts, keyed by name:
// the page shows them beside the figures and the metrics' help texts and
// dashboards' descriptions use the same words.
var Definitions = map[string]string{
	NameOpenIssues:                 "Issues open now. Every ownership share divides by them; closed issues are counted apart.",
	NameClosedIssues:               "Issues closed now, counted apart from the open ones.",
	NameWithOwner:                  "Open issues with an owner: an assignee, an Owner:/DRI:/Accountable: line or issue-form field, or an owner label.",
	NameWithRationale:              "Open issues whose title and description say what problem or need they address and why it matters.",
	NameWithBoth:                   "Open issues with an owner and a rationale: ready to be worked on.",
	NameTimeToOwner:                "Median time from an issue's creation to its first owner, over the issues that got their first owner in the last 30 days.",
	NameOpenPulls:                  "Pull requests open now (drafts included); merged and closed ones are counted apart.",
	NameLinkedToOwnedIssue:         "Open pull requests that refer to an issue with an owner, by a closing keyword (Fixes #12) or a plain reference (part of #12).",
	NameWithReason:                 "Open pull requests whose own description states a reason, or that link an issue with a rationale.",
	NameEngineersProductLevel:      "Of the comments engineers wrote, the share that is product-level: how much of what engineers say reasons about users, operators and outcomes.",
	NameEngineersShareOfProduct:    "Of the product-level comments, the share engineers wrote: how much of the product discussion comes from engineers.",
	NameProductPeopleProductLevel:  "Of the comments product people wrote, the share that is product-level.",
	NameProductLevelComments:       "Comments, reviews and review comments by people that reason about users, operators or outcomes (bots never count).",
	NameConcernMix:                 "Of the product-level comments, the share raising each concern; a comment can raise several.",
	NameReviewDiscussionProduction: "Of the people's comments, reviews and review comments on pull requests, the share that is product-level.",
}

// Share is a count over its denominator.
type Share struct{ N, Of int }

// Percent rounds the share to a whole percent, half up; ok is false when the
// denominator is 0 (shown as "-", never as 0%).
func (s Share) Percent() (pct int, ok bool) {
	if s.Of <= 0 {
		return 0, false
	}
	return (s.N*100 + s.Of/2) / s.Of, true
}

// Ratio is the share between 0 and 1 (0 when the denominator is 0).
func (s Share) Ratio() float64 {
	if s.Of <= 0 {
		return 0
	}
	return float64(s.N) / float64(s.Of)
}

// String is the percent as every face prints it: "56%", or "-" with nothing
// to divide.
func (s Share) String() string {
	p, ok := s.Percent()
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%d%%", p)
}

// Issues counts issues by state, owner and rationale.
type Issues struct {
	Open, WithOwner, WithRationale, WithBoth int // open issues only
	Closed                                   int
}

// Add counts one issue.
func (c *Issues) Add(open, owner, rationale bool) { c.AddN(open, owner, rationale, 1) }

// AddN counts n issues alike.
func (c *Issues) AddN(open, owner, rationale bool, n int) {
	if !open {
		c.Closed += n
		return
	}
	c.Open += n
	if owner {
		c.WithOwner += n
	}
	if rationale {
		c.WithRationale += n
	}
	if owner && rationale {
		c.WithBoth += n
	}
}

// OwnerShare, RationaleShare and BothShare divide by the open issues.
func (c Issues) OwnerShare() Share     { return Share{c.WithOwner, c.Open} }
func (c Issues) RationaleShare() Share { return Share{c.WithRationale, c.Open} }
func (c Issues) BothShare() Share      { return Share{c.WithBoth, c.Open} }

// Pulls counts pull requests by state, linked issue and reason.
type Pulls struct {
	Open, LinkedToOwnedIssue, WithReason int // open pull requests only
	Closed                               int // merged or closed
}

// Add counts one pull request.
func (c *Pulls) Add(open, linkedToOwned, reason bool) { c.AddN(open, linkedToOwned, reason, 1) }

// AddN counts n pull requests alike.
func (c *Pulls) AddN(open, linkedToOwned, reason bool, n int) {
	if !open {
		c.Closed += n
		return
	}
	c.Open += n
	if linkedToOwned {
		c.LinkedToOwnedIssue += n
	}
	if reason {
		c.WithReason += n
	}
}

// LinkedShare and ReasonShare divide by the open pull requests.
func (c Pulls) LinkedShare() Share { return Share{c.LinkedToOwnedIssue, c.Open} }
func (c Pulls) ReasonShare() Share { return Share{c.WithReason, c.Open} }

// Levels splits comments into product-level and implementation.
type Levels struct{ Product, Implementation int }

// Total is every comment of the levels.
func (l Levels) Total() int { return l.Product + l.Implementation }

// Comments counts comments by their author's role and level, and the
// concerns of the product-level ones.
type Comments struct {
	ByRole   map[analysis.Role]Levels
	Concerns map[analysis.Concern]int
}

// NewComments returns empty counts with every role and concern present.
func NewComments() Comments {
	c := Comments{ByRole: map[analysis.Role]Levels{}, Concerns: map[analysis.Concern]int{}}
	for _, r := range Roles {
		c.ByRole[r] = Levels{}
	}
	for _, k := range analysis.AllConcerns {
		c.Concerns[k] = 0
	}
	return c
}

// Roles lists the roles in the order every face shows them.
var Roles = []analysis.Role{analysis.RoleEngineer, analysis.RoleProduct, analysis.RoleExternal, analysis.RoleBot}

// AddComment counts one comment.
func (c *Comments) AddComment(role analysis.Role, productLevel bool, n int) {
	l := c.ByRole[role]
	if productLevel {
		l.Product += n
	} else {
		l.Implementation += n
	}
	c.ByRole[role] = l
}

// Total counts every comment, bots' included.
func (c Comments) Total() int {
	n := 0
	for _, l := range c.ByRole {
		n += l.Total()
	}
	return n
}

// People are the comments of people: every role but bots.
func (c Comments) People() Levels {
	var out Levels
	for role, l := range c.ByRole {
		if role != analysis.RoleBot {
			out.Product += l.Product
			out.Implementation += l.Implementation
		}
	}
	return out
}

// ProductLevelShareOf is the share of a role's comments that are
// product-level ("share of engineers' comments that are product-level").
func (c Comments) ProductLevelShareOf(role analysis.Role) Share {
	l := c.ByRole[role]
	return Share{l.Product, l.Total()}
}

// ShareOfProductLevel is a role's share of the product-level comments by
// people ("engineers' share of product-level comments").
func (c Comments) ShareOfProductLevel(role analysis.Role) Share {
	return Share{c.ByRole[role].Product, c.People().Product}
}

// ConcernShare is the share of product-level comments by people that raise a
// concern.
func (c Comments) ConcernShare(k analysis.Concern) Share {
	return Share{c.Concerns[k], c.People().Product}
}

// Need is an open issue missing an owner, a rationale or both.
type Need struct {
	Number                         int
	MissingOwner, MissingRationale bool
	CreatedAt                      time.Time
}

// Missing lists what is missing, by the names the report's JSON uses:
// "owner", "rationale".
func (n Need) Missing() []string {
	var out []string
	if n.MissingOwner {
		out = append(out, "owner")
	}
	if n.MissingRationale {
		out = append(out, "rationale")
	}
	return out
}

// CompareNeeds orders issues most in need first: those missing both an
// owner and a rationale, then the oldest, then by number.
func CompareNeeds(a, b Need) int {
	am, bm := len(a.Missing()), len(b.Missing())
	if am != bm {
		return bm - am
	}
	if !a.CreatedAt.Equal(b.CreatedAt) {
		if a.CreatedAt.Before(b.CreatedAt) {
			return -1
		}
		return 1
	}
	return a.Number - b.Number
}

// MaxNeeds is how many issues in need a list shows at most.
const MaxNeeds = 10

// LookedIn is where owner and rationale detection looked for an issue: the
// repository's settings as they were applied. Zero values are the
// defaults.
type LookedIn struct {
	OwnerFields       []string `json:"owner_fields,omitempty"`
	OwnerLabel        string   `json:"owner_label,omitempty"`
	RationaleHeadings []string `json:"rationale_headings,omitempty"`
	// NoAssignees is set when the assignees could not be read (an export
	// without the field), so they were not looked at.
	NoAssignees bool `json:"no_assignees,omitempty"`
}

// Owner lists, in words, where an owner was looked for, in the order
// detection looks.
func (l LookedIn) Owner() []string {
	fields, label := l.OwnerFields, l.OwnerLabel
	if len(fields) == 0 && label == "" {
		fields, label = analysis.DefaultOwnerFields, analysis.DefaultOwnerLabelPattern
	}
	var out []string
	if !l.NoAssignees {
		out = append(out, "assignees")
	}
	if len(fields) > 0 {
		out = append(out, strings.Join(fields, ": or ")+": lines and issue-form fields in the description")
	}
	if label != "" {
		out = append(out, "labels matching "+label)
	}
	return out
}

// builtinHeadings are the section headings detection always reads as a
// reason, in words.
var builtinHeadings = []string{"Why", "Problem", "Motivation", "Impact"}

// Rationale lists, in words, where a rationale was looked for.
func (l LookedIn) Rationale() []string {
	out := []string{"the title", "the author's own words in the description (not unchanged template text)",
		"Why, Problem, Motivation, Impact and bug-report sections"}
	var extra []string
	for _, h := range l.RationaleHeadings {
		builtin := false
		for _, b := range builtinHeadings {
			builtin = builtin || strings.EqualFold(strings.TrimSpace(h), b)
		}
		if !builtin {
			extra = append(extra, h)
		}
	}
	if len(extra) > 0 {
		out = append(out, "the repository's own headings: "+strings.Join(extra, ", "))
	}
	return out
}

// Words joins items as a sentence lists them: "a", "a and b", "a, b and c".
func Words(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
