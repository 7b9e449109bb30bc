package botcomment

import (
	"fmt"
	"strings"

	"github.com/ownershipbot/ownershipbot/analysis/mdtext"
)

// Link kinds: what a reference in a pull request turned out to be.
const (
	LinkIssue       = "issue"        // an issue the App knows, with its ownership state
	LinkPullRequest = "pull_request" // a pull request, not an issue
	LinkOutside     = "outside"      // outside the installation: shown, not checked
	LinkMissing     = "missing"      // the App could not find it (deleted, private, mistyped)
)

// PullLink is one issue a pull request refers to, as the comment shows it.
type PullLink struct {
	Ref     string // "#12" or "acme/api#3", as the pull request's repository sees it
	Closing bool   // "Fixes #12" rather than "Part of #12"
	Kind    string // LinkIssue, LinkPullRequest, LinkOutside or LinkMissing
	// For LinkIssue: the issue's owner ("@login" or "@org/team", empty when
	// none) and whether it says why it matters.
	Owner        string
	HasRationale bool
}

// Discussion sums up the people's comments on a pull request (review
// bodies, review comments and conversation comments; bots never count).
type Discussion struct {
	Total, ProductLevel int
	// Concerns are the concerns raised, most raised first, by the names
	// docs/reference.md gives them.
	Concerns []string
}

// PullRequestStatus is what the bot knows of a pull request when it writes.
type PullRequestStatus struct {
	Links []PullLink
	// HasReason and ReasonEvidence are about the description itself.
	HasReason      bool
	ReasonEvidence string
	// RequireLinkedIssue is the pull_requests.require_linked_issue setting:
	// a reason alone is not enough then.
	RequireLinkedIssue bool
	Discussion         Discussion
	// Intro and DocsURL are as in IssueStatus.
	Intro, DocsURL string
}

// OwnedLink reports whether the pull request links an issue that has an owner.
func (s PullRequestStatus) OwnedLink() bool {
	for _, l := range s.Links {
		if l.Kind == LinkIssue && l.Owner != "" {
			return true
		}
	}
	return false
}

// LinkedReason reports whether a linked issue says why it matters.
func (s PullRequestStatus) LinkedReason() bool {
	for _, l := range s.Links {
		if l.Kind == LinkIssue && l.HasRationale {
			return true
		}
	}
	return false
}

// Reason reports whether the pull request has a reason: its own, or a
// linked issue's.
func (s PullRequestStatus) Reason() bool { return s.HasReason || s.LinkedReason() }

// Satisfied reports whether nothing needs asking: an owned linked issue or
// a reason; with RequireLinkedIssue, only an owned linked issue.
func (s PullRequestStatus) Satisfied() bool {
	if s.RequireLinkedIssue {
		return s.OwnedLink()
	}
	return s.OwnedLink() || s.Reason()
}

// RenderPullRequest returns the comment for a pull request: what it links
// and their state, whether it says why, how to fix what is missing, and a
// one-line summary of product-level discussion. It never names people
// other than linked issues' owners, and those only as code, so nobody is
// notified; it never ranks anyone.
func RenderPullRequest(s PullRequestStatus) string {
	var b strings.Builder
	b.WriteString(Marker + "\n")
	if intro := mdtext.Escape(s.Intro); intro != "" {
		b.WriteString(intro + "\n\n")
	}
	owned, reason := s.OwnedLink(), s.Reason()
	switch {
	case owned && reason:
		b.WriteString("**Linked to an owned issue, with a reason** — thanks.\n\n")
	case s.Satisfied():
		if owned {
			b.WriteString("**Linked to an owned issue.**\n\n")
		} else {
			b.WriteString("**The description says why this change is needed** — thanks.\n\n")
		}
	case s.RequireLinkedIssue:
		b.WriteString("**This pull request links no owned issue, which this repository requires.**\n\n")
	default:
		b.WriteString("**This pull request links no owned issue and does not say why it is needed.**\n\n")
	}
	b.WriteString(linksLine(s))
	b.WriteString(reasonLine(s))
	if !s.Satisfied() {
		if s.RequireLinkedIssue {
			b.WriteString("\nTo fix it, link the issue this change resolves with `Fixes #123` in the description, and make sure that issue has an owner.\n")
		} else {
			b.WriteString("\nTo fix it, do either: link the issue this change resolves with `Fixes #123` in the description, or add a `### Why` section saying who is affected and what changes for them.\n")
		}
	}
	if line := DiscussionLine(s.Discussion); line != "" {
		b.WriteString("\n" + line + "\n")
	}
	b.WriteString("\n" + footer("pull request", s.DocsURL))
	return b.String()
}

func linksLine(s PullRequestStatus) string {
	if len(s.Links) == 0 {
		return "- **Linked issues:** none found in the title or description (`Fixes #123`, `Closes owner/repo#123`, `Part of #123`).\n"
	}
	parts := make([]string, 0, len(s.Links))
	for _, l := range s.Links {
		ref := code(l.Ref, maxName)
		if !l.Closing {
			ref += " (related)"
		}
		switch l.Kind {
		case LinkIssue:
			owner := "no owner"
			if l.Owner != "" {
				owner = "owner " + code(l.Owner, maxName)
			}
			why := "does not say why"
			if l.HasRationale {
				why = "says why"
			}
			parts = append(parts, fmt.Sprintf("%s: %s, %s", ref, owner, why))
		case LinkPullRequest:
			parts = append(parts, ref+": a pull request, not an issue")
		case LinkOutside:
			parts = append(parts, ref+": outside this installation, not checked")
		default:
			parts = append(parts, ref+": not found, or not visible to the App")
		}
	}
	return "- **Linked issues:** " + strings.Join(parts, "; ") + ".\n"
}

func reasonLine(s PullRequestStatus) string {
	switch {
	case s.HasReason:
		return fmt.Sprintf("- **Why:** stated in the description (%s).\n", quote(s.ReasonEvidence))
	case s.LinkedReason():
		return "- **Why:** not in the description, but a linked issue says why.\n"
	}
	return "- **Why:** the description states no problem, need or impact, and no linked issue does.\n"
}

// DiscussionLine is the one-line summary of product-level discussion, such
// as "3 of 11 review comments raised product-level concerns: performance,
// reliability." It is empty before anyone commented.
func DiscussionLine(d Discussion) string {
	switch {
	case d.Total == 0:
		return ""
	case d.ProductLevel == 0:
		return fmt.Sprintf("None of the %d review %s raised a product-level concern yet.", d.Total, plural(d.Total, "comment", "comments"))
	}
	words := make([]string, 0, len(d.Concerns))
	for _, c := range d.Concerns {
		words = append(words, ConcernWords(c))
	}
	line := fmt.Sprintf("%d of %d review %s raised product-level concerns", d.ProductLevel, d.Total, plural(d.Total, "comment", "comments"))
	if len(words) > 0 {
		line += ": " + strings.Join(words, ", ")
	}
	return line + "."
}

// ConcernWords names a concern in plain words.
func ConcernWords(concern string) string {
	switch concern {
	case "user_experience":
		return "user experience"
	case "security_privacy":
		return "security and privacy"
	case "customer_impact":
		return "customer impact"
	case "business_value":
		return "business value"
	}
	if strings.Trim(concern, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return code(concern, maxName) // not one of the taxonomy's names
	}
	return strings.ReplaceAll(concern, "_", " ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
