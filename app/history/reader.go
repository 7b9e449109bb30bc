package history

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
	"github.com/ownershipbot/ownershipbot/app/metrics"
)

// reader sends one installation's GraphQL queries, counts the points they
// cost, and reads on the nested lists GitHub cut short.
type reader struct {
	client  *ghgraphql.Client
	metrics *metrics.Metrics
	last    ghgraphql.RateLimit // as GitHub reported after the last query
	spent   int                 // points of every query so far
	noted   func(ghgraphql.RateLimit)
	waited  func(until time.Time) // GitHub refused a query until then
}

func (r *reader) do(ctx context.Context, query string, vars map[string]any, out interface{ rate() ghgraphql.RateLimit }) error {
	if err := r.client.Do(ctx, query, vars, out); err != nil {
		var limited *ghgraphql.LimitedError
		if errors.As(err, &limited) && r.waited != nil {
			r.waited(limited.Until)
		}
		return err
	}
	r.last = out.rate()
	r.spent += r.last.Cost
	r.metrics.GraphQLPoints.Add(float64(r.last.Cost))
	if r.noted != nil {
		r.noted(r.last)
	}
	return nil
}

type countsData struct{ ghgraphql.CountsData }

func (d *countsData) rate() ghgraphql.RateLimit { return d.RateLimit }

type issuesData struct{ ghgraphql.IssuesData }

func (d *issuesData) rate() ghgraphql.RateLimit { return d.RateLimit }

type pullsData struct{ ghgraphql.PullRequestsData }

func (d *pullsData) rate() ghgraphql.RateLimit { return d.RateLimit }

type threadData struct{ ghgraphql.ThreadData }

func (d *threadData) rate() ghgraphql.RateLimit { return d.RateLimit }

type moreData struct{ ghgraphql.MoreData }

func (d *moreData) rate() ghgraphql.RateLimit { return d.RateLimit }

func split(fullName string) (string, string) {
	owner, name, _ := strings.Cut(fullName, "/")
	return owner, name
}

// complete reads on every nested list of t that GitHub cut short.
func (r *reader) complete(ctx context.Context, t *ghgraphql.Thread) error {
	for t.Comments.PageInfo.HasNextPage {
		var d moreData
		if err := r.do(ctx, ghgraphql.QueryCommentsMore, map[string]any{"id": t.ID, "cursor": t.Comments.PageInfo.EndCursor}, &d); err != nil {
			return err
		}
		if d.Node == nil || d.Node.Comments == nil {
			return fmt.Errorf("reading on the comments of %s: the thread is gone", t.URL)
		}
		t.Comments.Nodes = append(t.Comments.Nodes, d.Node.Comments.Nodes...)
		t.Comments.PageInfo = d.Node.Comments.PageInfo
	}
	for t.Reviews.PageInfo.HasNextPage {
		var d moreData
		if err := r.do(ctx, ghgraphql.QueryReviewsMore, map[string]any{"id": t.ID, "cursor": t.Reviews.PageInfo.EndCursor}, &d); err != nil {
			return err
		}
		if d.Node == nil || d.Node.Reviews == nil {
			return fmt.Errorf("reading on the reviews of %s: the pull request is gone", t.URL)
		}
		t.Reviews.Nodes = append(t.Reviews.Nodes, d.Node.Reviews.Nodes...)
		t.Reviews.PageInfo = d.Node.Reviews.PageInfo
	}
	for i := range t.Reviews.Nodes {
		rv := &t.Reviews.Nodes[i]
		for rv.Comments.PageInfo.HasNextPage {
			var d moreData
			if err := r.do(ctx, ghgraphql.QueryReviewCommentsMore, map[string]any{"id": rv.ID, "cursor": rv.Comments.PageInfo.EndCursor}, &d); err != nil {
				return err
			}
			if d.Node == nil || d.Node.Comments == nil {
				return fmt.Errorf("reading on a review of %s: the review is gone", t.URL)
			}
			rv.Comments.Nodes = append(rv.Comments.Nodes, d.Node.Comments.Nodes...)
			rv.Comments.PageInfo = d.Node.Comments.PageInfo
		}
	}
	return nil
}

var (
	createdAsc  = map[string]any{"field": "CREATED_AT", "direction": "ASC"}
	updatedDesc = map[string]any{"field": "UPDATED_AT", "direction": "DESC"}
)

// page reads one page of a phase: issues or pull requests, open or closed,
// at most size of them.
func (r *reader) page(ctx context.Context, fullName, phase, cursor string, since any, size int) (ghgraphql.Page, error) {
	owner, name := split(fullName)
	var cur any
	if cursor != "" {
		cur = cursor
	}
	vars := map[string]any{"owner": owner, "name": name, "cursor": cur, "first": size}
	switch phase {
	case phaseOpenIssues, phaseClosedIssues, phaseChangedIssues:
		vars["states"], vars["since"], vars["order"] = []string{"OPEN"}, nil, createdAsc
		if phase == phaseClosedIssues {
			vars["states"], vars["since"] = []string{"CLOSED"}, since
		}
		if phase == phaseChangedIssues {
			vars["states"], vars["since"], vars["order"] = nil, since, updatedDesc
		}
		var d issuesData
		if err := r.do(ctx, ghgraphql.QueryIssues, vars, &d); err != nil {
			return ghgraphql.Page{}, err
		}
		if d.Repository == nil {
			return ghgraphql.Page{}, &ghgraphql.Error{Type: "NOT_FOUND", Message: "no repository " + fullName}
		}
		for i := range d.Repository.Issues.Nodes {
			d.Repository.Issues.Nodes[i].Typename = "Issue"
		}
		return d.Repository.Issues, nil
	default:
		vars["states"], vars["order"] = []string{"OPEN"}, createdAsc
		if phase == phaseClosedPulls {
			vars["states"], vars["order"] = []string{"CLOSED", "MERGED"}, updatedDesc
		}
		if phase == phaseChangedPulls {
			vars["states"], vars["order"] = nil, updatedDesc
		}
		var d pullsData
		if err := r.do(ctx, ghgraphql.QueryPullRequests, vars, &d); err != nil {
			return ghgraphql.Page{}, err
		}
		if d.Repository == nil {
			return ghgraphql.Page{}, &ghgraphql.Error{Type: "NOT_FOUND", Message: "no repository " + fullName}
		}
		for i := range d.Repository.PullRequests.Nodes {
			d.Repository.PullRequests.Nodes[i].Typename = "PullRequest"
		}
		return d.Repository.PullRequests, nil
	}
}

// counts reads how many threads a backfill will read (closed pull requests
// are counted over all time: an over-estimate).
func (r *reader) counts(ctx context.Context, fullName string, since any) (int, error) {
	owner, name := split(fullName)
	var d countsData
	if err := r.do(ctx, ghgraphql.QueryRepositoryCounts, map[string]any{"owner": owner, "name": name, "since": since}, &d); err != nil {
		return 0, err
	}
	if d.Repository == nil {
		return 0, &ghgraphql.Error{Type: "NOT_FOUND", Message: "no repository " + fullName}
	}
	c := d.Repository
	return c.OpenIssues.TotalCount + c.ClosedIssues.TotalCount + c.OpenPullRequests.TotalCount + c.ClosedPullRequests.TotalCount, nil
}

// pageFitting reads the page at cursor in the largest size up to size that
// GitHub answers and the reader can hold: the page is halved while the
// answer is too large or GitHub gives up on it, down to one item. The
// cursor moves by items, so a smaller page leaves nothing out.
func (r *reader) pageFitting(ctx context.Context, fullName, phase, cursor string, since any, size int) (ghgraphql.Page, error) {
	for ; ; size /= 2 {
		page, err := r.page(ctx, fullName, phase, cursor, since, size)
		if !ghgraphql.Heavy(err) || size == 1 {
			return page, err
		}
	}
}

// thread reads one issue or pull request, or nil when it is gone.
func (r *reader) thread(ctx context.Context, fullName string, number int) (*ghgraphql.Thread, error) {
	owner, name := split(fullName)
	var d threadData
	if err := r.do(ctx, ghgraphql.QueryThread, map[string]any{"owner": owner, "name": name, "number": number}, &d); err != nil {
		return nil, err
	}
	if d.Repository == nil || d.Repository.IssueOrPullRequest == nil {
		return nil, nil
	}
	t := d.Repository.IssueOrPullRequest
	return t, r.complete(ctx, t)
}

// pageCost is what a page of a phase costs at most by GitHub's calculation,
// nested lists read on aside: pages of 100 issues 1 + 3 x 100 requests (3
// points), of 100 pull requests 1 + 4 x 100 + 100 x 20 reviews' comments
// (24 points); the sweep's pages of sweepPage cost 1 and 2.
func pageCost(phase string) int {
	switch phase {
	case phaseOpenPulls, phaseClosedPulls:
		return 24
	case phaseChangedIssues:
		return 1
	case phaseChangedPulls:
		return 2
	}
	return 3
}

// sweepPage is the page size of a sweep: it reads what changed since the
// last sweep, minutes ago, which is most often nothing or a few threads, and
// GitHub charges for the page asked for, not the one given. Ten rather than
// 100 make a sweep cost 3 points instead of 27, so the sweeps' share of the
// limit covers nine times as many repositories; more is read on by cursor.
const sweepPage = 10
