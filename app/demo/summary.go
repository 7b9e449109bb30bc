package demo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ownershipbot/ownershipbot/app/demo/scenario"
	"github.com/ownershipbot/ownershipbot/app/githubsim"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// repoSummary is one row of the table printed after the replay.
type repoSummary struct {
	open, owned, reasoned, both  int
	botComments                  int // open issues with a bot comment
	comments, productComments    int
	engineerProduct, engineerAll int
}

// printSummary prints, per repository, what the store says now: the same
// numbers the gauges on /metrics report.
func printSummary(ctx context.Context, w io.Writer, st store.Store, sim *githubsim.Sim, org scenario.Org) error {
	rows := map[string]*repoSummary{}
	row := func(repo string) *repoSummary {
		if rows[repo] == nil {
			rows[repo] = &repoSummary{}
		}
		return rows[repo]
	}
	for _, r := range org.Repos {
		row(strings.ToLower(org.Login + "/" + r.Name))
	}
	issues, err := st.IssueCounts(ctx)
	if err != nil {
		return err
	}
	for _, n := range issues {
		s := row(n.Repo)
		s.open += n.Count
		if n.HasOwner {
			s.owned += n.Count
		}
		if n.HasRationale {
			s.reasoned += n.Count
		}
		if n.HasOwner && n.HasRationale {
			s.both += n.Count
		}
	}
	comments, err := st.CommentCounts(ctx, time.Time{}) // the whole replay
	if err != nil {
		return err
	}
	for _, n := range comments {
		if n.Thread != store.ThreadIssue {
			continue
		}
		s := row(n.Repo)
		s.comments += n.Count
		product := n.Level == "product"
		if product {
			s.productComments += n.Count
		}
		if n.AuthorRole == "engineer" {
			s.engineerAll += n.Count
			if product {
				s.engineerProduct += n.Count
			}
		}
	}
	for _, r := range org.Repos {
		full := org.Login + "/" + r.Name
		for number := 1; number <= len(r.Issues); number++ {
			if st, ok := sim.Issue(full, number); ok && st.State == "open" && len(sim.BotComments(full, number)) > 0 {
				row(strings.ToLower(full)).botComments++
			}
		}
	}

	names := make([]string, 0, len(rows))
	for name := range rows {
		names = append(names, name)
	}
	sort.Strings(names)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "repository\topen issues\twith owner\twith rationale\tboth\tbot comments\tcomments\tproduct-level\tengineers' product-level")
	for _, name := range names {
		s := rows[name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", name, s.open,
			pct(s.owned, s.open), pct(s.reasoned, s.open), pct(s.both, s.open), s.botComments,
			s.comments, pct(s.productComments, s.comments), pct(s.engineerProduct, s.engineerAll))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nOpen issues only; comments are issue comments, by level as they stand after edits and deletions.")
	return nil
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d (%d%%)", n, (n*100+of/2)/of)
}
