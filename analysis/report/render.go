package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/mdtext"
)

// RenderJSON writes one JSON object for a single repository, or an array of
// them for several (CONTRACTS section 8).
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

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d%%", (n*100+of/2)/of)
}

// productShare is the share of a role's comments that are product-level.
func productShare(lc LevelCounts) string { return pct(lc.Product, lc.Product+lc.Implementation) }

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
		fmt.Fprintf(tw, "Issues\t%d\t(%d open)\n", is.Total, is.Open)
		fmt.Fprintf(tw, "  with an owner\t%d\t%s\n", is.WithOwner, pct(is.WithOwner, is.Total))
		fmt.Fprintf(tw, "  with a rationale\t%d\t%s\n", is.WithRationale, pct(is.WithRationale, is.Total))
		fmt.Fprintf(tw, "  with both\t%d\t%s\n", is.WithBoth, pct(is.WithBoth, is.Total))
		pr := r.PullRequests
		fmt.Fprintf(tw, "Pull requests\t%d\t(open and closed)\n", pr.Total)
		fmt.Fprintf(tw, "  linked to an owned issue\t%d\t%s\n", pr.LinkedToOwnedIssue, pct(pr.LinkedToOwnedIssue, pr.Total))
		fmt.Fprintf(tw, "  with a rationale\t%d\t%s\n", pr.WithRationale, pct(pr.WithRationale, pr.Total))
		tw.Flush()

		c := r.Comments
		fmt.Fprintf(tw, "\nComments and reviews: %d\n", c.Total)
		fmt.Fprintf(tw, "  role\tproduct-level\timplementation\tproduct share\n")
		for _, role := range Roles {
			lc := c.ByRole[role]
			fmt.Fprintf(tw, "  %s\t%d\t%d\t%s\n", role, lc.Product, lc.Implementation, productShare(lc))
		}
		tw.Flush()

		fmt.Fprintf(tw, "\nConcern mix of product-level comments\n")
		fmt.Fprintf(tw, "  concern\tcomments\tshare\n")
		productTotal := 0
		for _, lc := range c.ByRole {
			productTotal += lc.Product
		}
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
		fmt.Fprintf(&b, "| Issues (%d open) | %d | |\n", is.Open, is.Total)
		fmt.Fprintf(&b, "| with an owner | %d | %s |\n", is.WithOwner, pct(is.WithOwner, is.Total))
		fmt.Fprintf(&b, "| with a rationale | %d | %s |\n", is.WithRationale, pct(is.WithRationale, is.Total))
		fmt.Fprintf(&b, "| with both | %d | %s |\n", is.WithBoth, pct(is.WithBoth, is.Total))
		fmt.Fprintf(&b, "| Pull requests | %d | |\n", pr.Total)
		fmt.Fprintf(&b, "| linked to an owned issue | %d | %s |\n", pr.LinkedToOwnedIssue, pct(pr.LinkedToOwnedIssue, pr.Total))
		fmt.Fprintf(&b, "| with a rationale | %d | %s |\n", pr.WithRationale, pct(pr.WithRationale, pr.Total))

		fmt.Fprintf(&b, "\n### Comments and reviews (%d)\n\n", c.Total)
		b.WriteString("| role | product-level | implementation | product share |\n| --- | ---: | ---: | ---: |\n")
		productTotal := 0
		for _, role := range Roles {
			lc := c.ByRole[role]
			productTotal += lc.Product
			fmt.Fprintf(&b, "| %s | %d | %d | %s |\n", role, lc.Product, lc.Implementation, productShare(lc))
		}
		b.WriteString("\n### Concern mix\n\n| concern | comments | share of product-level |\n| --- | ---: | ---: |\n")
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
