package demo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/demo/scenario"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// repoSummary is one row of the table printed after the replay.
type repoSummary struct {
	open, owned, reasoned, both  int
	botComments                  int // open issues with a bot comment
	comments, productComments    int
	engineerProduct, engineerAll int
	// Pull requests, open ones only, as the ownershipbot_pull_requests gauge.
	openPulls, ownedLink, pullReason int
	pulls, pullNudges                int // all pull requests, and those with a bot comment (open or not)
	reviewComments, reviewProduct    int // pull request discussion by people
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
	pulls, err := st.PullRequestCounts(ctx)
	if err != nil {
		return err
	}
	for _, n := range pulls {
		s := row(n.Repo)
		s.openPulls += n.Count
		if n.LinkedIssue == "owned" {
			s.ownedLink += n.Count
		}
		if n.HasRationale {
			s.pullReason += n.Count
		}
	}
	comments, err := st.CommentCounts(ctx, time.Time{}) // the whole replay
	if err != nil {
		return err
	}
	for _, n := range comments {
		s := row(n.Repo)
		if n.Thread == store.ThreadPullRequest {
			if n.AuthorRole != "bot" {
				s.reviewComments += n.Count
				if n.Level == "product" {
					s.reviewProduct += n.Count
				}
			}
			continue
		}
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
		for number := 1; number <= len(r.Issues)+len(r.PullRequests); number++ {
			st, ok := sim.Issue(full, number)
			switch {
			case !ok:
			case st.IsPull:
				row(strings.ToLower(full)).pulls++
				if len(sim.BotComments(full, number)) > 0 {
					row(strings.ToLower(full)).pullNudges++
				}
			case st.State == "open" && len(sim.BotComments(full, number)) > 0:
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
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "repository\topen PRs\tlinked to owned issue\twith reason\tPRs nudged (all)\treview comments\tproduct-level")
	for _, name := range names {
		s := rows[name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\n", name, s.openPulls,
			pct(s.ownedLink, s.openPulls), pct(s.pullReason, s.openPulls), pct(s.pullNudges, s.pulls),
			s.reviewComments, pct(s.reviewProduct, s.reviewComments))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nOpen pull requests as the gauge counts them (merged and closed ones leave it); PRs nudged counts every pull request with a bot comment;")
	fmt.Fprintln(w, "review comments are review bodies, comments on the diff and conversation comments by people (not bots), as they stand now.")
	return nil
}

func pct(n, of int) string {
	if of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d (%d%%)", n, (n*100+of/2)/of)
}
