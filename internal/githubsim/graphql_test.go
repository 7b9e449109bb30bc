package githubsim_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"

	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

func (w *world) graphql(t *testing.T) *ghgraphql.Client {
	t.Helper()
	tr, err := ghinstallation.New(http.DefaultTransport, w.sim.AppID(), w.inst, w.sim.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = w.api.URL
	return &ghgraphql.Client{HTTP: &http.Client{Transport: tr}, URL: ghgraphql.Endpoint(w.api.URL + "/")}
}

func seedIssues(t *testing.T, w *world, n, comments int) {
	t.Helper()
	var seeds []githubsim.Seed
	for i := range n {
		sd := githubsim.Seed{Author: "alice", Title: fmt.Sprintf("Issue %d", i), Body: "Owner: @bob", Age: time.Duration(n-i) * time.Hour}
		for j := range comments {
			sd.Comments = append(sd.Comments, githubsim.SeedComment{Author: "bob", Body: fmt.Sprintf("comment %d", j)})
		}
		seeds = append(seeds, sd)
	}
	if _, err := w.sim.Seed("acme/web", seeds...); err != nil {
		t.Fatal(err)
	}
}

func issuesVars(cursor any) map[string]any {
	return map[string]any{"owner": "acme", "name": "web", "states": []string{"OPEN"}, "since": nil,
		"order": map[string]any{"field": "CREATED_AT", "direction": "ASC"}, "cursor": cursor, "first": 100}
}

func TestGraphQLPagesIssuesWithTheirCommentsAndChargesGitHubsCost(t *testing.T) {
	w := newWorld(t)
	seedIssues(t, w, 250, 3)
	c := w.graphql(t)
	var cursor any
	seen := 0
	for page := 0; ; page++ {
		var data ghgraphql.IssuesData
		if err := c.Do(context.Background(), ghgraphql.QueryIssues, issuesVars(cursor), &data); err != nil {
			t.Fatal(err)
		}
		p := data.Repository.Issues
		if p.TotalCount != 250 {
			t.Fatalf("totalCount = %d", p.TotalCount)
		}
		for _, is := range p.Nodes {
			if is.Number != seen+1 || len(is.Comments.Nodes) != 3 || is.Comments.Nodes[0].DatabaseID == 0 || is.Author.Login != "alice" {
				t.Fatalf("issue %+v out of order or incomplete (want #%d with 3 comments)", is, seen+1)
			}
			seen++
		}
		// 1 issues connection + 100 each of assignees, labels, comments: 301
		// requests, 3 points.
		if data.RateLimit.Cost != 3 {
			t.Errorf("page %d cost %d points, want 3", page, data.RateLimit.Cost)
		}
		if !p.PageInfo.HasNextPage {
			break
		}
		cursor = p.PageInfo.EndCursor
	}
	if seen != 250 {
		t.Fatalf("read %d issues, want 250", seen)
	}
	if got := w.sim.GraphQLPoints(); got != 9 {
		t.Errorf("spent %d points, want 9", got)
	}
}

func TestGraphQLRefusesWhatGitHubRefuses(t *testing.T) {
	w := newWorld(t)
	c := w.graphql(t)
	var out map[string]any
	err := c.Do(context.Background(), `query { repository(owner: "acme", name: "web") { issues(first: 10) { nodes { titel } } } }`, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "titel") {
		t.Errorf("a misspelt field: %v", err)
	}
	err = c.Do(context.Background(), `query { repository(owner: "acme", name: "web") { issues { totalCount } } }`, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "first") {
		t.Errorf("a connection without first: %v", err)
	}
	err = c.Do(context.Background(), `query { repository(owner: "acme", name: "web") { issues(first: 101) { totalCount } } }`, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "100") {
		t.Errorf("a page of 101: %v", err)
	}
	err = c.Do(context.Background(), ghgraphql.QueryIssues, map[string]any{"owner": "acme", "name": "nope",
		"order": map[string]any{"field": "CREATED_AT", "direction": "ASC"}, "first": 100}, &out)
	if !ghgraphql.NotFound(err) {
		t.Errorf("an unknown repository: %v, want NOT_FOUND", err)
	}
	reqs := w.sim.GraphQLRequests()
	if len(reqs) != 4 || reqs[0].Invalid == "" || reqs[1].Refused == "" || reqs[2].Refused == "" {
		t.Errorf("requests = %+v", reqs)
	}
}

func TestGraphQLRateLimitIsA200WithRateLimitedOnceSpent(t *testing.T) {
	sim := githubsim.New(githubsim.Options{AppID: 42, GraphQLRateLimit: 7})
	w := newWorldWith(t, sim)
	seedIssues(t, w, 5, 1)
	c := w.graphql(t)
	for i := range 2 {
		var data ghgraphql.IssuesData
		if err := c.Do(context.Background(), ghgraphql.QueryIssues, issuesVars(nil), &data); err != nil {
			t.Fatalf("query %d: %v", i, err)
		}
		if want := 7 - 3*(i+1); data.RateLimit.Remaining != want {
			t.Errorf("remaining after query %d = %d, want %d", i, data.RateLimit.Remaining, want)
		}
	}
	var data ghgraphql.IssuesData
	err := c.Do(context.Background(), ghgraphql.QueryIssues, issuesVars(nil), &data)
	var limited *ghgraphql.LimitedError
	if !errors.As(err, &limited) || limited.Until.Before(time.Now()) {
		t.Fatalf("third query: %v, want a rate-limit refusal with a reset in the future", err)
	}
}
