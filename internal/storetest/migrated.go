package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// V1LinksJSON is a pull request's links_json as schema version 1 held it:
// the links together with the pull-request handler's bookkeeping. A store
// test inserts it as acme/web#7 (installation 42, open) into a database
// migrated to version 1 only, opens the store, and calls CheckMigratedLinks.
const V1LinksJSON = `{"links":[{"repo":"acme/web","number":12,"closing":true,"kind":"issue","owner":"@alice","rationale":"strong"},` +
	`{"repo":"other/x","number":1,"kind":"outside"}],"reason":"weak","comments":{"review:1":{"p":true}}}`

// V1LinksOnly is a links_json with links and nothing else, stored as acme/web#8.
const V1LinksOnly = `{"links":[{"repo":"acme/web","number":12,"kind":"issue","cached":true}]}`

// CheckMigratedLinks checks that the links of V1LinksJSON and V1LinksOnly
// moved to the links table, in order, and that the rest stayed as the pull
// request's bookkeeping.
func CheckMigratedLinks(t *testing.T, s store.Store) {
	t.Helper()
	ctx := context.Background()
	got, ok, err := s.Thread(ctx, "acme/web", 7)
	if err != nil || !ok {
		t.Fatalf("Thread(acme/web#7) after the migration = %v, %v", ok, err)
	}
	want := []store.Link{
		{Repo: "acme/web", Number: 12, Closing: true, Kind: store.LinkIssue, Owner: "@alice", Rationale: "strong"},
		{Repo: "other/x", Number: 1, Kind: store.LinkOutside},
	}
	if !slices.Equal(got.Links, want) {
		t.Errorf("migrated links = %+v, want %+v", got.Links, want)
	}
	if got.PullState == "" || strings.Contains(got.PullState, `"links"`) {
		t.Errorf("migrated bookkeeping = %q, want the reason and comments without the links", got.PullState)
	}
	only, _, err := s.Thread(ctx, "acme/web", 8)
	if err != nil || only.PullState != "" || len(only.Links) != 1 || !only.Links[0].Cached {
		t.Errorf("acme/web#8 after the migration = %+v, %v; want one cached link and no bookkeeping", only, err)
	}
	linking, err := s.PullRequestsLinking(ctx, 42, "acme/web", 12)
	if err != nil || len(linking) != 2 {
		t.Errorf("PullRequestsLinking(acme/web#12) after the migration = %d pull requests, %v; want 2", len(linking), err)
	}
}
