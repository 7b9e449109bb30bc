// Package rollup keeps each repository's daily figures: the open issues
// with an owner, a rationale or both, and the open pull requests linked to an
// owned issue or with a reason, as they stand at the end of each day (UTC).
// The workers take a rollup periodically (never the webhook path); the page
// draws its 30-day trend from them, so leaders see a trend without a
// Prometheus. Rollups hold counts only.
package rollup

import (
	"context"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Store is what a rollup reads and writes.
type Store interface {
	Repositories(ctx context.Context) ([]string, error)
	IssueCounts(ctx context.Context) ([]store.IssueCount, error)
	PullRequestCounts(ctx context.Context) ([]store.PullRequestCount, error)
	PutRollups(ctx context.Context, rs []store.Rollup) error
}

// Day is the day (midnight UTC) a time falls in.
func Day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// Take stores every repository's figures as they stand now as the rollup of
// now's day, replacing an earlier one of the same day: the last rollup of a
// day is that day's figures.
func Take(ctx context.Context, st Store, now time.Time) error {
	issues, err := st.IssueCounts(ctx)
	if err != nil {
		return err
	}
	pulls, err := st.PullRequestCounts(ctx)
	if err != nil {
		return err
	}
	type repoFigures struct {
		issues figures.Issues
		pulls  figures.Pulls
	}
	byRepo := map[string]*repoFigures{}
	var order []string
	row := func(repo string) *repoFigures {
		if byRepo[repo] == nil {
			byRepo[repo] = &repoFigures{}
			order = append(order, repo)
		}
		return byRepo[repo]
	}
	// Every repository gets its day, zeros included: a repository whose
	// last open issue closed must not show its last busy day as today's.
	repos, err := st.Repositories(ctx)
	if err != nil {
		return err
	}
	for _, repo := range repos {
		row(repo)
	}
	for _, n := range issues {
		f := row(n.Repo)
		f.issues.AddN(true, n.HasOwner, n.HasRationale, n.Count)
	}
	for _, n := range pulls {
		f := row(n.Repo)
		f.pulls.AddN(true, n.LinkedIssue == "owned", n.HasRationale, n.Count)
	}
	day := Day(now)
	rs := make([]store.Rollup, 0, len(order))
	for _, repo := range order {
		f := byRepo[repo]
		rs = append(rs, store.Rollup{
			Repo: repo, Day: day,
			OpenIssues: f.issues.Open, WithOwner: f.issues.WithOwner, WithRationale: f.issues.WithRationale, WithBoth: f.issues.WithBoth,
			OpenPulls: f.pulls.Open, PullsLinkedToOwnedIssue: f.pulls.LinkedToOwnedIssue, PullsWithReason: f.pulls.WithReason,
		})
	}
	if len(rs) == 0 {
		return nil
	}
	return st.PutRollups(ctx, rs)
}
