package storetest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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

// OldQueue is the queue a database holds when it is migrated to lanes, in
// arrival order: id, order key, status, and for a pending delivery whether it
// waits an hour for a retry, for a leased one whether its lease is live (an
// hour) rather than expired. The dialects' migration tests store it in their
// old schema.
var OldQueue = []struct {
	ID, Key, Status string
	Later           bool
}{
	{"k1-a", "acme/web#1", store.DeliveryPending, false},
	{"failed", "acme/web#1", store.DeliveryFailed, false},
	{"k2-a", "acme/web#2", store.DeliveryLeased, true},
	{"k1-b", "acme/web#1", store.DeliveryPending, false},
	{"k3-a", "acme/api#3", store.DeliveryPending, true},
	{"nokey", "", store.DeliveryPending, false},
	{"k2-b", "acme/web#2", store.DeliveryPending, false},
	{"done", "acme/web#4", store.DeliveryDone, false},
	{"k5-a", "acme/web#5", store.DeliveryLeased, false},
	{"k5-b", "acme/web#5", store.DeliveryPending, false},
}

// CheckMigratedQueue checks that OldQueue's unfinished deliveries moved into
// lanes: each order key's in arrival order, a live lease still holding its
// lane (unless leasesSurvive is false: the store hands a dead process's
// leases back when it opens), an expired one taken over, a retry still
// waiting, and nothing finished coming back.
func CheckMigratedQueue(t *testing.T, s store.Store, leasesSurvive bool) {
	t.Helper()
	ctx := context.Background()
	want := [][]string{{"k1-a", "k1-b"}, {"k2-a", "k2-b"}, {"nokey"}, {"k5-a", "k5-b"}}
	if leasesSurvive {
		want = [][]string{{"k1-a", "k1-b"}, {"nokey"}, {"k5-a", "k5-b"}}
	}
	for _, w := range want {
		batch, err := s.ClaimLane(ctx, store.ClaimOptions{Worker: "w", Lease: time.Hour, Max: 10})
		var got []string
		for _, d := range batch {
			got = append(got, d.ID)
		}
		if err != nil || !slices.Equal(got, w) {
			t.Fatalf("ClaimLane after the migration = %v, %v; want %v", got, err, w)
		}
	}
	if batch, err := s.ClaimLane(ctx, store.ClaimOptions{Worker: "w", Lease: time.Hour, Max: 10}); !errors.Is(err, store.ErrNoDelivery) {
		t.Fatalf("ClaimLane after the migration = %d deliveries from %v, %v; want nothing: a retry waits", len(batch), batch, err)
	}
	if _, ok, err := s.NextReady(ctx, store.ClaimOptions{}); !ok || err != nil {
		t.Errorf("NextReady after the migration = %v, %v; want the waiting lanes", ok, err)
	}
	if err := s.Complete(ctx, "k1-a", "k1-b"); err != nil {
		t.Errorf("Complete of a migrated lane's batch: %v", err)
	}
	if n, err := s.Depth(ctx); err != nil || n != 6 {
		t.Errorf("Depth after the migration = %d, %v; want 6", n, err)
	}
}
