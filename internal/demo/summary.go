package demo

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/internal/demo/scenario"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// repoSummary is one repository's figures, by package figures'
// definitions, from the same store queries as the gauges on /metrics.
type repoSummary struct {
	issues      figures.Issues // open ones; Closed is not known to the gauges and stays 0
	pulls       figures.Pulls
	comments    figures.Comments // people's and bots', issues and pull requests, in the metrics window
	review      figures.Comments // on pull requests
	botComments int              // open issues with a bot comment
	pullsAll    int              // every pull request, open or not
	pullNudges  int              // pull requests with a bot comment, open or not
}

// Window is the metrics window the summary's comment figures cover, as the
// gauges on /metrics and the page do.
const Window = 30 * 24 * time.Hour

// printSummary prints, per repository, what the store says now: the same
// numbers the gauges on /metrics and the leaders' page report.
func printSummary(ctx context.Context, w io.Writer, st store.Store, sim *githubsim.Sim, org scenario.Org) error {
	rows := map[string]*repoSummary{}
	row := func(repo string) *repoSummary {
		if rows[repo] == nil {
			rows[repo] = &repoSummary{comments: figures.NewComments(), review: figures.NewComments()}
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
		row(n.Repo).issues.AddN(true, n.HasOwner, n.HasRationale, n.Count)
	}
	pulls, err := st.PullRequestCounts(ctx)
	if err != nil {
		return err
	}
	for _, n := range pulls {
		row(n.Repo).pulls.AddN(true, n.LinkedIssue == "owned", n.HasRationale, n.Count)
	}
	since := time.Now().Add(-Window)
	comments, err := st.CommentCounts(ctx, since)
	if err != nil {
		return err
	}
	for _, n := range comments {
		s := row(n.Repo)
		role, product := analysis.Role(n.AuthorRole), n.Level == "product"
		s.comments.AddComment(role, product, n.Count)
		if n.Thread == store.ThreadPullRequest {
			s.review.AddComment(role, product, n.Count)
		}
	}
	for _, r := range org.Repos {
		full := org.Login + "/" + r.Name
		for number := 1; number <= len(r.Issues)+len(r.PullRequests); number++ {
			st, ok := sim.Issue(full, number)
			switch {
			case !ok:
			case st.IsPull:
				row(strings.ToLower(full)).pullsAll++
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
	fmt.Fprintf(tw, "repository\t%s\t%s\t%s\t%s\tbot comments\n", figures.NameOpenIssues, figures.NameWithOwner, figures.NameWithRationale, figures.NameWithBoth)
	for _, name := range names {
		s := rows[name]
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\n", name, s.issues.Open,
			count(s.issues.OwnerShare()), count(s.issues.RationaleShare()), count(s.issues.BothShare()), s.botComments)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nOpen issues only: every share divides by them (closed issues are counted apart, on the page).")
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "repository\tcomments by people\tproduct-level\tshare of engineers' comments\tshare of product people's comments\tengineers' share of")
	fmt.Fprintln(tw, "\t\t\tthat are product-level\tthat are product-level\tproduct-level comments")
	for _, name := range names {
		s := rows[name]
		people := s.comments.People()
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", name, people.Total(), count(figures.Share{N: people.Product, Of: people.Total()}),
			count(s.comments.ProductLevelShareOf(analysis.RoleEngineer)), count(s.comments.ProductLevelShareOf(analysis.RoleProduct)),
			count(s.comments.ShareOfProductLevel(analysis.RoleEngineer)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nComments, reviews and review comments on issues and pull requests, created in the last 30 days, as they stand after edits and deletions.")
	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "repository\t%s\t%s\t%s\tPRs nudged (all)\treview discussion\tproduct-level\n", figures.NameOpenPulls, figures.NameLinkedToOwnedIssue, figures.NameWithReason)
	for _, name := range names {
		s := rows[name]
		review := s.review.People()
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%d\t%s\n", name, s.pulls.Open,
			count(s.pulls.LinkedShare()), count(s.pulls.ReasonShare()), count(figures.Share{N: s.pullNudges, Of: s.pullsAll}),
			review.Total(), count(figures.Share{N: review.Product, Of: review.Total()}))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintln(w, "\nOpen pull requests as the gauge counts them (merged and closed ones leave it); a reason is the pull request's own or a linked issue's;")
	fmt.Fprintln(w, "PRs nudged counts every pull request with a bot comment; review discussion is people's (not bots') comments on pull requests.")
	return nil
}

// count shows a share with its count: "12 (52%)", or "-" with nothing to
// divide.
func count(s figures.Share) string {
	if s.Of == 0 {
		return "-"
	}
	return fmt.Sprintf("%d (%s)", s.N, s)
}
