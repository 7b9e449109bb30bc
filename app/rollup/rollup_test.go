package rollup

import (
	"context"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

type fakeStore struct {
	repos  []string
	issues []store.IssueCount
	pulls  []store.PullRequestCount
	put    []store.Rollup
}

func (f *fakeStore) Repositories(context.Context) ([]string, error) { return f.repos, nil }
func (f *fakeStore) IssueCounts(context.Context) ([]store.IssueCount, error) {
	return f.issues, nil
}
func (f *fakeStore) PullRequestCounts(context.Context) ([]store.PullRequestCount, error) {
	return f.pulls, nil
}
func (f *fakeStore) PutRollups(_ context.Context, rs []store.Rollup) error {
	f.put = append(f.put, rs...)
	return nil
}

// A repository whose last open issue closed has a day of zero open issues,
// not no day at all: otherwise the page's trend would show its last day
// with open issues as today's figures.
func TestARepositoryWithNothingOpenHasARollupOfZeros(t *testing.T) {
	st := &fakeStore{repos: []string{"acme/api", "acme/web"},
		issues: []store.IssueCount{{Repo: "acme/web", HasOwner: true, HasRationale: true, Count: 3}}}
	now := time.Date(2026, 3, 4, 15, 0, 0, 0, time.UTC)
	if err := Take(context.Background(), st, now); err != nil {
		t.Fatal(err)
	}
	got := map[string]store.Rollup{}
	for _, r := range st.put {
		got[r.Repo] = r
	}
	if r, ok := got["acme/api"]; !ok || r.OpenIssues != 0 || !r.Day.Equal(Day(now)) {
		t.Errorf("acme/api, with nothing open, got rollup %+v (found %v), want a day of zeros", r, ok)
	}
	if r := got["acme/web"]; r.OpenIssues != 3 || r.WithBoth != 3 {
		t.Errorf("acme/web rollup %+v, want 3 open issues with both", r)
	}
}
