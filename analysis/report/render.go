package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/analysis/mdtext"
)

// RenderJSON writes one JSON object for a single repository, or an array of
// them for several (see docs/reference.md).
func RenderJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if len(reports) == 1 {
		return enc.Encode(reports[0])
	}
	if reports == nil {
		reports = []Report{}
	}
	return enc.Encode(reports)
}

func pct(n, of int) string { return figures.Share{N: n, Of: of}.String() }

// productShare is the share of a role's comments that are product-level.
func productShare(lc LevelCounts) string { return pct(lc.Product, lc.Product+lc.Implementation) }

// peopleProduct counts the product-level comments of people (not bots),
// the denominator of the concern mix and of each role's share of them.
func peopleProduct(c CommentCounts) int { return c.Figures("").People().Product }

func missingText(m []string) string {
	parts := make([]string, len(m))
	for i, s := range m {
		if s == "rationale" {
			s = "reason (rationale)"
		}
		parts[i] = s
	}
	return strings.Join(parts, " and ")
}

func truncate(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// RenderText writes the reports as aligned plain-text tables for a terminal.
func RenderText(w io.Writer, reports []Report) error {
	if len(reports) == 0 {
		_, err := fmt.Fprintln(w, "The export holds no issues or pull requests.")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for i, r := range reports {
		if i > 0 {
			fmt.Fprintln(tw)
		}
		fmt.Fprintf(tw, "Ownership report: %s\n\n", r.Repository)
		is := r.Issues
		fmt.Fprintf(tw, "Open issues\t%d\t(%d closed, counted apart)\n", is.Open, is.Closed)
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", figures.NameWithOwner, is.WithOwner, pct(is.WithOwner, is.Open))
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", figures.NameWithRationale, is.WithRationale, pct(is.WithRationale, is.Open))
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", figures.NameWithBoth, is.WithBoth, pct(is.WithBoth, is.Open))
		pr := r.PullRequests
		fmt.Fprintf(tw, "Open pull requests\t%d\t(%d merged or closed, counted apart)\n", pr.Open, pr.Closed)
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", figures.NameLinkedToOwnedIssue, pr.LinkedToOwnedIssue, pct(pr.LinkedToOwnedIssue, pr.Open))
		fmt.Fprintf(tw, "  %s\t%d\t%s\n", figures.NameWithReason, pr.WithRationale, pct(pr.WithRationale, pr.Open))
		tw.Flush()

		c := r.Comments
		fmt.Fprintf(tw, "\nComments and reviews: %d\n", c.Total)
		fmt.Fprintf(tw, "  role\tproduct-level\timplementation\tshare of the role's comments that are product-level\n")
		for _, role := range Roles {
			lc := c.ByRole[role]
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", role, lc.Product, lc.Implementation, productShare(lc))
		}
		tw.Flush()
		productTotal := peopleProduct(c)
		fmt.Fprintf(tw, "  %s: %s\n", figures.NameEngineersShareOfProduct, pct(c.ByRole[analysis.RoleEngineer].Product, productTotal))

		fmt.Fprintf(tw, "\nConcern mix of people's product-level comments\n")
		fmt.Fprintf(tw, "  concern\tcomments\tshare\n")
		for _, k := range analysis.AllConcerns {
			fmt.Fprintf(tw, "  %s\t%d\t%s\n", k, c.Concerns[k], pct(c.Concerns[k], productTotal))
		}
		tw.Flush()

		if len(r.NeedsAttention) == 0 {
			fmt.Fprintf(tw, "\nEvery open issue has an owner and a rationale.\n")
		} else {
			fmt.Fprintf(tw, "\nOpen issues most in need of an owner or a reason\n")
			for _, a := range r.NeedsAttention {
				fmt.Fprintf(tw, "  #%d\t%s\tmissing %s\t%s\n", a.Number, truncate(a.Title, 50), missingText(a.Missing), a.URL)
			}
		}
		tw.Flush()
	}
	return tw.Flush()
}

// RenderMarkdown writes the reports as GitHub-flavoured Markdown, ready to
// paste into an issue or a discussion.
func RenderMarkdown(w io.Writer, reports []Report) error {
	var b strings.Builder
	if len(reports) == 0 {
		b.WriteString("The export holds no issues or pull requests.\n")
	}
	for i, r := range reports {
		if i > 0 {
			b.WriteString("\n")
		}
		is, pr, c := r.Issues, r.PullRequests, r.Comments
		fmt.Fprintf(&b, "## Ownership report: %s\n\n", r.Repository)
		b.WriteString("| | count | share |\n| --- | ---: | ---: |\n")
		fmt.Fprintf(&b, "| Open issues (%d closed, counted apart) | %d | |\n", is.Closed, is.Open)
		fmt.Fprintf(&b, "| %s | %d | %s |\n", figures.NameWithOwner, is.WithOwner, pct(is.WithOwner, is.Open))
		fmt.Fprintf(&b, "| %s | %d | %s |\n", figures.NameWithRationale, is.WithRationale, pct(is.WithRationale, is.Open))
		fmt.Fprintf(&b, "| %s | %d | %s |\n", figures.NameWithBoth, is.WithBoth, pct(is.WithBoth, is.Open))
		fmt.Fprintf(&b, "| Open pull requests (%d merged or closed, counted apart) | %d | |\n", pr.Closed, pr.Open)
		fmt.Fprintf(&b, "| %s | %d | %s |\n", figures.NameLinkedToOwnedIssue, pr.LinkedToOwnedIssue, pct(pr.LinkedToOwnedIssue, pr.Open))
		fmt.Fprintf(&b, "| %s | %d | %s |\n", figures.NameWithReason, pr.WithRationale, pct(pr.WithRationale, pr.Open))

		fmt.Fprintf(&b, "\n### Comments and reviews (%d)\n\n", c.Total)
		b.WriteString("| role | product-level | implementation | share of the role's comments that are product-level |\n| --- | ---: | ---: | ---: |\n")
		productTotal := peopleProduct(c)
		for _, role := range Roles {
			lc := c.ByRole[role]
			fmt.Fprintf(&b, "| %s | %d | %d | %s |\n", role, lc.Product, lc.Implementation, productShare(lc))
		}
		fmt.Fprintf(&b, "\n%s: %s\n", strings.ToUpper(figures.NameEngineersShareOfProduct[:1])+figures.NameEngineersShareOfProduct[1:], pct(c.ByRole[analysis.RoleEngineer].Product, productTotal))
		b.WriteString("\n### Concern mix of people's product-level comments\n\n| concern | comments | share |\n| --- | ---: | ---: |\n")
		for _, k := range analysis.AllConcerns {
			fmt.Fprintf(&b, "| %s | %d | %s |\n", k, c.Concerns[k], pct(c.Concerns[k], productTotal))
		}
		if len(r.NeedsAttention) == 0 {
			b.WriteString("\nEvery open issue has an owner and a rationale.\n")
			continue
		}
		b.WriteString("\n### Open issues most in need of an owner or a reason\n\n| issue | title | missing |\n| --- | --- | --- |\n")
		for _, a := range r.NeedsAttention {
			fmt.Fprintf(&b, "| [#%d](%s) | %s | %s |\n", a.Number, a.URL, mdtext.Escape(truncate(a.Title, 80)), missingText(a.Missing))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}
