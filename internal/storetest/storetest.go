// Package storetest is the conformance suite that every store.Store
// implementation passes: the SQLite and PostgreSQL stores run it against real
// databases, so the app can rely on the same behaviour from both.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Opener returns a new, empty store for one test; the store is closed by the
// caller's cleanup or by the suite.
type Opener func(t *testing.T) store.Store

// t0 is a fixed instant for the times the suite stores; it has whole
// microseconds, which every store keeps exactly.
var t0 = time.Date(2026, 3, 14, 9, 26, 53, 589793000, time.UTC)

// Run runs the whole suite. open must return a new, empty store each time.
func Run(t *testing.T, open Opener) {
	t.Run("Queue", func(t *testing.T) { runQueue(t, open) })
	t.Run("Ordering", func(t *testing.T) { runOrdering(t, open) })
	t.Run("Lanes", func(t *testing.T) { runLanes(t, open) })
	t.Run("Threads", func(t *testing.T) { runThreads(t, open) })
	t.Run("Comments", func(t *testing.T) { runComments(t, open) })
	t.Run("Installations", func(t *testing.T) { runInstallations(t, open) })
	t.Run("Gauges", func(t *testing.T) { runGauges(t, open) })
	t.Run("History", func(t *testing.T) { runHistory(t, open) })
	t.Run("Page", func(t *testing.T) { runPage(t, open) })
	t.Run("ConcurrentClaims", func(t *testing.T) {
		s := open(t)
		ClaimConcurrently(t, []store.Store{s}, 8, 240)
	})
	t.Run("EnqueueWhileClaiming", func(t *testing.T) {
		s := open(t)
		EnqueueWhileClaiming(t, []store.Store{s}, 4)
	})
}

func ctx(t *testing.T) context.Context { return t.Context() }

func delivery(id, key string, received time.Time) store.Delivery {
	return store.Delivery{
		ID:             id,
		Event:          "issues",
		Action:         "opened",
		InstallationID: 42,
		OrderKey:       key,
		Payload:        []byte(`{"action":"opened","delivery":"` + id + `"}`),
		ReceivedAt:     received,
	}
}

func mustEnqueue(t *testing.T, s store.Store, ds ...store.Delivery) {
	t.Helper()
	for _, d := range ds {
		inserted, err := s.Enqueue(ctx(t), d)
		if err != nil {
			t.Fatalf("Enqueue(%s): %v", d.ID, err)
		}
		if !inserted {
			t.Fatalf("Enqueue(%s) = not inserted, want inserted", d.ID)
		}
	}
}

func mustDelivery(t *testing.T, s store.Store, id string) store.Delivery {
	t.Helper()
	d, ok, err := s.Delivery(ctx(t), id)
	if err != nil || !ok {
		t.Fatalf("Delivery(%s) = %v, %v; want it stored", id, ok, err)
	}
	return d
}

// claimID claims one delivery and returns its id, or "" for ErrNoDelivery.
func claimID(t *testing.T, s store.Store, lease time.Duration) string {
	t.Helper()
	d, err := s.Claim(ctx(t), "worker-1", lease)
	if errors.Is(err, store.ErrNoDelivery) {
		return ""
	}
	if err != nil {
		t.Fatalf("Claim: %v", err)
	}
	return d.ID
}

func mustDepth(t *testing.T, s store.Store, want int) {
	t.Helper()
	n, err := s.Depth(ctx(t))
	if err != nil {
		t.Fatalf("Depth: %v", err)
	}
	if n != want {
		t.Errorf("Depth = %d, want %d", n, want)
	}
}

func runQueue(t *testing.T, open Opener) {
	t.Run("enqueued delivery reads back as sent, pending", func(t *testing.T) {
		s := open(t)
		d := delivery("d1", "acme/web#1", t0)
		d.Payload = []byte("{\"body\":\"caf\xc3\xa9 \\u0000 \"}")
		mustEnqueue(t, s, d)
		got := mustDelivery(t, s, "d1")
		if got.ID != d.ID || got.Event != d.Event || got.Action != d.Action ||
			got.InstallationID != d.InstallationID || got.OrderKey != d.OrderKey ||
			string(got.Payload) != string(d.Payload) || !got.ReceivedAt.Equal(d.ReceivedAt) {
			t.Errorf("Delivery(d1) = %+v, want the enqueued %+v", got, d)
		}
		if got.Status != store.DeliveryPending || got.Attempts != 0 || got.LastError != "" {
			t.Errorf("new delivery: status %q, attempts %d, last error %q; want pending, 0, none",
				got.Status, got.Attempts, got.LastError)
		}
	})

	t.Run("second enqueue of a delivery id is refused and changes nothing", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		again := delivery("d1", "other", t0.Add(time.Hour))
		again.Payload = []byte(`{"different":true}`)
		inserted, err := s.Enqueue(ctx(t), again)
		if err != nil || inserted {
			t.Fatalf("second Enqueue(d1) = %v, %v; want false, nil", inserted, err)
		}
		got := mustDelivery(t, s, "d1")
		if got.OrderKey != "" || string(got.Payload) == `{"different":true}` {
			t.Errorf("second enqueue overwrote the first: %+v", got)
		}
		mustDepth(t, s, 1)
	})

	t.Run("redelivery of a failed delivery runs it again", func(t *testing.T) {
		s := open(t)
		d := delivery("d1", "acme/web#1", t0)
		mustEnqueue(t, s, d)
		c, err := s.Claim(ctx(t), "w", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		must(t, s.Fail(ctx(t), c.ID, "GitHub was down"))
		inserted, err := s.Enqueue(ctx(t), d)
		if err != nil || !inserted {
			t.Fatalf("redelivery of a failed delivery: inserted=%v err=%v, want it queued again", inserted, err)
		}
		again, err := s.Claim(ctx(t), "w", time.Minute)
		if err != nil || again.ID != "d1" || again.Attempts != 0 {
			t.Fatalf("Claim after redelivery = %+v, %v; want d1 with a fresh attempt budget", again, err)
		}
	})

	t.Run("redelivery of a finished delivery is still recognised", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		if id := claimID(t, s, time.Minute); id != "d1" {
			t.Fatalf("Claim = %q, want d1", id)
		}
		if err := s.Complete(ctx(t), "d1"); err != nil {
			t.Fatal(err)
		}
		inserted, err := s.Enqueue(ctx(t), delivery("d1", "", t0))
		if err != nil || inserted {
			t.Fatalf("Enqueue of a done delivery = %v, %v; want false, nil", inserted, err)
		}
	})

	t.Run("claim on an empty queue finds nothing", func(t *testing.T) {
		s := open(t)
		_, err := s.Claim(ctx(t), "w", time.Minute)
		if !errors.Is(err, store.ErrNoDelivery) {
			t.Fatalf("Claim on empty queue: %v, want ErrNoDelivery", err)
		}
	})

	t.Run("claim returns the oldest first and leases it", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("first", "", t0), delivery("second", "", t0.Add(time.Second)),
			delivery("third", "", t0.Add(2*time.Second)))
		d, err := s.Claim(ctx(t), "w", time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if d.ID != "first" || d.Status != store.DeliveryLeased || string(d.Payload) == "" {
			t.Errorf("Claim = %s (%s, %d payload bytes), want first, leased, with payload", d.ID, d.Status, len(d.Payload))
		}
		if got := mustDelivery(t, s, "first").Status; got != store.DeliveryLeased {
			t.Errorf("stored status after Claim = %q, want leased", got)
		}
		for _, want := range []string{"second", "third", ""} {
			if got := claimID(t, s, time.Minute); got != want {
				t.Errorf("Claim = %q, want %q", got, want)
			}
		}
	})

	t.Run("complete marks done and takes it off the queue", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0), delivery("d2", "", t0))
		claimID(t, s, time.Minute)
		if err := s.Complete(ctx(t), "d1"); err != nil {
			t.Fatal(err)
		}
		if got := mustDelivery(t, s, "d1").Status; got != store.DeliveryDone {
			t.Errorf("status = %q, want done", got)
		}
		mustDepth(t, s, 1)
	})

	t.Run("finishing a delivery that is not leased is an error", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("pending", "", t0))
		if err := s.Complete(ctx(t), "unknown"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Complete(unknown) = %v, want ErrNotLeased", err)
		}
		if err := s.Complete(ctx(t), "pending"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Complete(pending) = %v, want ErrNotLeased", err)
		}
		if err := s.Retry(ctx(t), "pending", t0, "x"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Retry(pending) = %v, want ErrNotLeased", err)
		}
		if err := s.Fail(ctx(t), "unknown", "x"); !errors.Is(err, store.ErrNotLeased) {
			t.Errorf("Fail(unknown) = %v, want ErrNotLeased", err)
		}
		if got := mustDelivery(t, s, "pending"); got.Status != store.DeliveryPending || got.Attempts != 0 {
			t.Errorf("after refused calls: %s with %d attempts, want pending with 0", got.Status, got.Attempts)
		}
	})

	t.Run("retry with a future time hides it until then and counts the attempt", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		claimID(t, s, time.Minute)
		later := time.Now().Add(time.Hour).UTC().Truncate(time.Microsecond)
		if err := s.Retry(ctx(t), "d1", later, "GitHub answered 502"); err != nil {
			t.Fatal(err)
		}
		got := mustDelivery(t, s, "d1")
		if got.Status != store.DeliveryPending || got.Attempts != 1 || got.LastError != "GitHub answered 502" ||
			!got.AvailableAt.Equal(later) {
			t.Errorf("after Retry: %s, attempts %d, error %q, available %v; want pending, 1, the error, %v",
				got.Status, got.Attempts, got.LastError, got.AvailableAt, later)
		}
		if id := claimID(t, s, time.Minute); id != "" {
			t.Errorf("Claim before the retry time = %q, want nothing", id)
		}
		mustDepth(t, s, 1)
	})

	t.Run("retry due now runs again and attempts add up", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		for attempt := 1; attempt <= 3; attempt++ {
			if id := claimID(t, s, time.Minute); id != "d1" {
				t.Fatalf("attempt %d: Claim = %q, want d1", attempt, id)
			}
			if err := s.Retry(ctx(t), "d1", time.Now().Add(-time.Second), fmt.Sprintf("error %d", attempt)); err != nil {
				t.Fatal(err)
			}
		}
		if got := mustDelivery(t, s, "d1"); got.Attempts != 3 || got.LastError != "error 3" {
			t.Errorf("after three retries: attempts %d, error %q; want 3, error 3", got.Attempts, got.LastError)
		}
	})

	t.Run("fail keeps the delivery for an operator and counts the attempt", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		claimID(t, s, time.Minute)
		if err := s.Fail(ctx(t), "d1", "gave up"); err != nil {
			t.Fatal(err)
		}
		got := mustDelivery(t, s, "d1")
		if got.Status != store.DeliveryFailed || got.Attempts != 1 || got.LastError != "gave up" {
			t.Errorf("after Fail: %s, attempts %d, error %q; want failed, 1, gave up", got.Status, got.Attempts, got.LastError)
		}
		mustDepth(t, s, 0)
		if id := claimID(t, s, time.Minute); id != "" {
			t.Errorf("Claim after Fail = %q, want nothing", id)
		}
	})

	t.Run("an expired lease is claimable again", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		if id := claimID(t, s, time.Millisecond); id != "d1" {
			t.Fatalf("Claim = %q, want d1", id)
		}
		if got := pollClaim(t, s); got != "d1" {
			t.Errorf("Claim after the lease expired = %q, want d1", got)
		}
		if err := s.Complete(ctx(t), "d1"); err != nil {
			t.Errorf("Complete by the second worker: %v", err)
		}
	})

	t.Run("a live lease is not claimed twice", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("d1", "", t0))
		claimID(t, s, time.Hour)
		if id := claimID(t, s, time.Hour); id != "" {
			t.Errorf("second Claim = %q, want nothing", id)
		}
	})

	t.Run("depth counts pending and leased only", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("a", "", t0), delivery("b", "", t0), delivery("c", "", t0), delivery("d", "", t0))
		mustDepth(t, s, 4)
		claimID(t, s, time.Minute) // a leased
		mustDepth(t, s, 4)
		claimID(t, s, time.Minute) // b leased
		if err := s.Complete(ctx(t), "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Fail(ctx(t), "b", "no"); err != nil {
			t.Fatal(err)
		}
		mustDepth(t, s, 2)
	})

	t.Run("prune deletes only done deliveries received before the time", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s,
			delivery("old-done", "", t0),
			delivery("old-failed", "", t0),
			delivery("old-pending", "", t0),
			delivery("new-done", "", t0.Add(time.Hour)))
		for _, want := range []string{"old-done", "old-failed", "old-pending", "new-done"} {
			if id := claimID(t, s, time.Minute); id != want {
				t.Fatalf("Claim = %q, want %q", id, want)
			}
		}
		must(t, s.Complete(ctx(t), "old-done"))
		must(t, s.Fail(ctx(t), "old-failed", "x"))
		must(t, s.Retry(ctx(t), "old-pending", time.Now().Add(time.Hour), "x"))
		must(t, s.Complete(ctx(t), "new-done"))
		n, err := s.PruneDone(ctx(t), t0.Add(time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("PruneDone = %d, %v; want 1, nil", n, err)
		}
		for id, want := range map[string]bool{"old-done": false, "old-failed": true, "old-pending": true, "new-done": true} {
			if _, ok, err := s.Delivery(ctx(t), id); err != nil || ok != want {
				t.Errorf("Delivery(%s) stored = %v (%v), want %v", id, ok, err, want)
			}
		}
	})

	t.Run("unknown delivery is not found", func(t *testing.T) {
		s := open(t)
		if _, ok, err := s.Delivery(ctx(t), "nope"); ok || err != nil {
			t.Errorf("Delivery(nope) = %v, %v; want not found", ok, err)
		}
	})

	t.Run("ping answers", func(t *testing.T) {
		s := open(t)
		if err := s.Ping(ctx(t)); err != nil {
			t.Errorf("Ping: %v", err)
		}
	})
}

// pollClaim claims until a delivery comes back, for leases that must expire
// first. It gives up after a generous deadline instead of asserting on time.
func pollClaim(t *testing.T, s store.Store) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if id := claimID(t, s, time.Minute); id != "" {
			return id
		}
		time.Sleep(2 * time.Millisecond)
	}
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// An orderStep is one move in an ordering story: claim (and which id comes
// back, "" for none), or finish a delivery one way or another.
type orderStep struct {
	op string // "claim", "complete", "retry-later", "retry-now", "fail"
	id string // for claim: the id expected, "" for none
}

func runOrdering(t *testing.T, open Opener) {
	claim := func(want string) orderStep { return orderStep{"claim", want} }
	cases := []struct {
		name    string
		enqueue [][2]string // id, order key, in arrival order
		steps   []orderStep
	}{
		{
			name:    "same issue waits for the earlier event to finish",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#1"}},
			steps:   []orderStep{claim("a"), claim(""), {"complete", "a"}, claim("b"), claim("")},
		},
		{
			name:    "different issues run in parallel",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#2"}, {"c", "acme/api#1"}},
			steps:   []orderStep{claim("a"), claim("b"), claim("c"), claim("")},
		},
		{
			name:    "a busy issue does not hold up others behind it",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#1"}, {"c", "acme/web#2"}},
			steps:   []orderStep{claim("a"), claim("c"), claim(""), {"complete", "a"}, claim("b")},
		},
		{
			name:    "deliveries without an order key run in parallel",
			enqueue: [][2]string{{"a", ""}, {"b", ""}, {"c", ""}},
			steps:   []orderStep{claim("a"), claim("b"), claim("c")},
		},
		{
			name:    "an event waiting for a retry still holds its issue",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#1"}, {"c", ""}},
			steps:   []orderStep{claim("a"), {"retry-later", "a"}, claim("c"), claim("")},
		},
		{
			name:    "a retry due now runs before the later event",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#1"}},
			steps:   []orderStep{claim("a"), {"retry-now", "a"}, claim("a"), claim(""), {"complete", "a"}, claim("b")},
		},
		{
			name:    "a failed event frees its issue",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#1"}},
			steps:   []orderStep{claim("a"), claim(""), {"fail", "a"}, claim("b")},
		},
		{
			name:    "a failed pending event frees its issue",
			enqueue: [][2]string{{"a", "acme/web#1"}, {"b", "acme/web#1"}},
			steps:   []orderStep{{"fail", "a"}, claim("b")},
		},
		{
			name:    "three events of one issue run one at a time in order",
			enqueue: [][2]string{{"a", "k"}, {"b", "k"}, {"c", "k"}},
			steps: []orderStep{claim("a"), claim(""), {"complete", "a"}, claim("b"), claim(""),
				{"complete", "b"}, claim("c"), {"complete", "c"}, claim("")},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := open(t)
			for i, e := range tc.enqueue {
				mustEnqueue(t, s, delivery(e[0], e[1], t0.Add(time.Duration(i)*time.Second)))
			}
			for i, st := range tc.steps {
				var err error
				switch st.op {
				case "claim":
					if got := claimID(t, s, time.Hour); got != st.id {
						t.Fatalf("step %d: Claim = %q, want %q", i, got, st.id)
					}
				case "complete":
					err = s.Complete(ctx(t), st.id)
				case "retry-later":
					err = s.Retry(ctx(t), st.id, time.Now().Add(time.Hour), "later")
				case "retry-now":
					err = s.Retry(ctx(t), st.id, time.Now().Add(-time.Second), "now")
				case "fail":
					err = s.Fail(ctx(t), st.id, "failed")
				default:
					t.Fatalf("unknown step %q", st.op)
				}
				if err != nil {
					t.Fatalf("step %d: %s %s: %v", i, st.op, st.id, err)
				}
			}
		})
	}

	t.Run("an expired lease is taken over before the next event of its issue", func(t *testing.T) {
		s := open(t)
		mustEnqueue(t, s, delivery("a", "k", t0), delivery("b", "k", t0.Add(time.Second)))
		if id := claimID(t, s, time.Millisecond); id != "a" {
			t.Fatalf("Claim = %q, want a", id)
		}
		if got := pollClaim(t, s); got != "a" {
			t.Errorf("Claim after a's lease expired = %q, want a again", got)
		}
		if id := claimID(t, s, time.Hour); id != "" {
			t.Errorf("Claim while a is leased again = %q, want nothing", id)
		}
	})
}

func thread(repo string, number int) store.Thread {
	return store.Thread{
		InstallationID:    42,
		Repo:              repo,
		Number:            number,
		Kind:              store.ThreadIssue,
		State:             "open",
		Title:             "Checkout fails for EU customers",
		URL:               fmt.Sprintf("https://github.com/%s/issues/%d", repo, number),
		CreatedAt:         t0,
		Owner:             "@octocat",
		OwnerSource:       "assignee",
		OwnerKind:         "person",
		FirstOwned:        t0.Add(time.Hour),
		Rationale:         "strong",
		RationaleEvidence: "## Why\nCustomers cannot pay.",
		LookedIn:          `{"owner_fields":["Owner","DRI"],"owner_label":"team:*"}`,
		NudgeLabel:        "needs owner",
		BotCommentID:      987654321012,
		BotCommentHash:    "sha256:abc",
		SnapshotAt:        t0.Add(90 * time.Minute),
		UpdatedAt:         t0.Add(2 * time.Hour),
	}
}

func comment(kind string, id int64, repo string, number int, created time.Time, level string, concerns ...string) store.Comment {
	return store.Comment{
		InstallationID: 42,
		Kind:           kind,
		ID:             id,
		Repo:           repo,
		Number:         number,
		Thread:         store.ThreadIssue,
		AuthorRole:     "product",
		Level:          level,
		Concerns:       concerns,
		CreatedAt:      created,
		UpdatedAt:      created,
	}
}

func mustThread(t *testing.T, s store.Store, repo string, number int) (store.Thread, bool) {
	t.Helper()
	th, ok, err := s.Thread(ctx(t), repo, number)
	if err != nil {
		t.Fatalf("Thread(%s#%d): %v", repo, number, err)
	}
	return th, ok
}

func mustComment(t *testing.T, s store.Store, kind string, id int64) (store.Comment, bool) {
	t.Helper()
	c, ok, err := s.Comment(ctx(t), kind, id)
	if err != nil {
		t.Fatalf("Comment(%s %d): %v", kind, id, err)
	}
	return c, ok
}

func sameThread(a, b store.Thread) bool {
	return a.UpdatedAt.Equal(b.UpdatedAt) && a.SameState(b)
}

func sameComment(a, b store.Comment) bool {
	return a.InstallationID == b.InstallationID && a.Kind == b.Kind && a.ID == b.ID && a.Repo == b.Repo &&
		a.Number == b.Number && a.Thread == b.Thread && a.AuthorRole == b.AuthorRole && a.Level == b.Level &&
		slices.Equal(a.Concerns, b.Concerns) && a.CreatedAt.Equal(b.CreatedAt) && a.UpdatedAt.Equal(b.UpdatedAt)
}

func runThreads(t *testing.T, open Opener) {
	t.Run("a stored thread reads back exactly", func(t *testing.T) {
		s := open(t)
		want := thread("acme/web", 12)
		must(t, s.PutThread(ctx(t), want))
		got, ok := mustThread(t, s, "acme/web", 12)
		if !ok || !sameThread(got, want) {
			t.Errorf("Thread = %+v, %v; want %+v", got, ok, want)
		}
	})

	t.Run("a pull request keeps its links and draft flag", func(t *testing.T) {
		s := open(t)
		want := thread("acme/web", 13)
		want.Kind, want.Draft, want.LinkedIssue = store.ThreadPullRequest, true, "owned"
		want.Links = []store.Link{
			{Repo: "acme/web", Number: 12, Closing: true, Kind: store.LinkIssue, Owner: "@alice", Rationale: "strong"},
			{Repo: "acme/api", Number: 3, Kind: store.LinkIssue, Rationale: "none", Cached: true},
			{Repo: "other/x", Number: 1, Kind: store.LinkOutside},
			{Repo: "acme/web", Number: 9, Kind: store.LinkPullRequest},
		}
		want.PullState = `{"reason":"weak"}`
		want.BotCommentPending = true
		must(t, s.PutThread(ctx(t), want))
		got, ok := mustThread(t, s, "acme/web", 13)
		if !ok || !sameThread(got, want) {
			t.Errorf("Thread = %+v, %v; want %+v", got, ok, want)
		}
		// Fewer links later: the dropped ones are gone, the order is kept.
		want.Links = []store.Link{want.Links[2], want.Links[0]}
		must(t, s.PutThread(ctx(t), want))
		if got, _ := mustThread(t, s, "acme/web", 13); !slices.Equal(got.Links, want.Links) {
			t.Errorf("Links after an edit = %+v, want %+v", got.Links, want.Links)
		}
	})

	t.Run("a thread with nothing known yet keeps its zero values", func(t *testing.T) {
		s := open(t)
		want := store.Thread{InstallationID: 1, Repo: "acme/web", Number: 1, Kind: store.ThreadIssue, State: "open"}
		must(t, s.PutThread(ctx(t), want))
		got, ok := mustThread(t, s, "acme/web", 1)
		if !ok || !sameThread(got, want) || !got.FirstOwned.IsZero() || got.HasRationale() {
			t.Errorf("Thread = %+v, %v; want %+v", got, ok, want)
		}
	})

	t.Run("putting a thread again replaces it", func(t *testing.T) {
		s := open(t)
		must(t, s.PutThread(ctx(t), thread("acme/web", 12)))
		want := thread("acme/web", 12)
		want.State, want.Owner, want.OwnerSource, want.OwnerKind = "closed", "", "", ""
		want.Rationale, want.BotCommentID, want.BotCommentHash = "none", 0, ""
		must(t, s.PutThread(ctx(t), want))
		got, _ := mustThread(t, s, "acme/web", 12)
		if !sameThread(got, want) {
			t.Errorf("Thread = %+v, want %+v", got, want)
		}
	})

	t.Run("the open pull requests that link an issue are found by the issue", func(t *testing.T) {
		s := open(t)
		pr := func(repo string, n int, inst int64, state store.ThreadState, links ...store.Link) store.Thread {
			th := thread(repo, n)
			th.Kind, th.InstallationID, th.State, th.Links = store.ThreadPullRequest, inst, state, links
			return th
		}
		issue := store.Link{Repo: "acme/web", Number: 9, Kind: store.LinkIssue}
		other := store.Link{Repo: "acme/web", Number: 10, Kind: store.LinkIssue}
		must(t, s.PutThread(ctx(t), pr("acme/web", 7, 42, "open", other, issue)))
		must(t, s.PutThread(ctx(t), pr("acme/api", 3, 42, "open", issue)))
		must(t, s.PutThread(ctx(t), pr("acme/web", 8, 42, "closed", issue)))
		must(t, s.PutThread(ctx(t), pr("acme/web", 11, 42, "open", other)))
		must(t, s.PutThread(ctx(t), pr("other/x", 1, 7, "open", issue)))
		must(t, s.PutThread(ctx(t), thread("acme/web", 9))) // the issue
		got, err := s.PullRequestsLinking(ctx(t), 42, "acme/web", 9)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].Repo != "acme/api" || got[1].Repo != "acme/web" || got[1].Number != 7 ||
			!slices.Equal(got[1].Links, []store.Link{other, issue}) {
			t.Fatalf("PullRequestsLinking = %+v, want acme/api#3 and acme/web#7 with their links", got)
		}
		must(t, s.DeleteThread(ctx(t), "acme/api", 3))
		must(t, s.DeleteRepository(ctx(t), "acme/web"))
		must(t, s.PutThread(ctx(t), pr("acme/web", 7, 42, "open"))) // back, without links
		if got, err := s.PullRequestsLinking(ctx(t), 42, "acme/web", 9); err != nil || len(got) != 0 {
			t.Fatalf("after the pull requests were forgotten, PullRequestsLinking = %+v, %v; want none", got, err)
		}
	})

	t.Run("an issue learned of through a link leaves the stored links alone", func(t *testing.T) {
		s := open(t)
		stored := thread("acme/web", 7)
		stored.Kind, stored.Links = store.ThreadPullRequest, []store.Link{{Repo: "acme/web", Number: 9, Kind: store.LinkIssue}}
		must(t, s.PutThread(ctx(t), stored))
		again := stored
		again.Links = nil
		if added, err := s.AddThread(ctx(t), again); err != nil || added {
			t.Fatalf("AddThread over a stored pull request = %v, %v; want not added", added, err)
		}
		if got, _ := mustThread(t, s, "acme/web", 7); !slices.Equal(got.Links, stored.Links) {
			t.Errorf("Links = %+v, want %+v", got.Links, stored.Links)
		}
	})

	t.Run("adding a thread never overwrites a stored one", func(t *testing.T) {
		s := open(t)
		added, err := s.AddThread(ctx(t), thread("acme/web", 12))
		if err != nil || !added {
			t.Fatalf("first AddThread = %v, %v; want added", added, err)
		}
		stored := thread("acme/web", 12)
		stored.BotCommentID, stored.BotCommentHash = 777, "h"
		must(t, s.PutThread(ctx(t), stored))
		added, err = s.AddThread(ctx(t), thread("acme/web", 12))
		if err != nil || added {
			t.Fatalf("second AddThread = %v, %v; want not added", added, err)
		}
		got, _ := mustThread(t, s, "acme/web", 12)
		if !sameThread(got, stored) {
			t.Errorf("AddThread overwrote the stored thread: %+v", got)
		}
	})

	t.Run("repositories are kept apart and names are taken as given", func(t *testing.T) {
		s := open(t)
		must(t, s.PutThread(ctx(t), thread("acme/web", 1)))
		if _, ok := mustThread(t, s, "acme/api", 1); ok {
			t.Error("Thread(acme/api#1) found, want only acme/web#1")
		}
		if _, ok := mustThread(t, s, "acme/web", 2); ok {
			t.Error("Thread(acme/web#2) found, want only acme/web#1")
		}
	})

	t.Run("deleting a thread deletes its comments only", func(t *testing.T) {
		s := open(t)
		must(t, s.PutThread(ctx(t), thread("acme/web", 1)))
		must(t, s.PutThread(ctx(t), thread("acme/web", 2)))
		must(t, s.PutComment(ctx(t), comment("issue_comment", 1, "acme/web", 1, t0, "product", "value")))
		must(t, s.PutComment(ctx(t), comment("issue_comment", 2, "acme/web", 2, t0, "product", "value")))
		must(t, s.DeleteThread(ctx(t), "acme/web", 1))
		if _, ok := mustThread(t, s, "acme/web", 1); ok {
			t.Error("deleted thread still stored")
		}
		if _, ok := mustComment(t, s, "issue_comment", 1); ok {
			t.Error("comment of the deleted thread still stored")
		}
		if _, ok := mustThread(t, s, "acme/web", 2); !ok {
			t.Error("other thread deleted too")
		}
		if _, ok := mustComment(t, s, "issue_comment", 2); !ok {
			t.Error("comment of the other thread deleted too")
		}
		counts, err := s.ConcernCounts(ctx(t), time.Time{})
		must(t, err)
		if len(counts) != 1 || counts[0].Count != 1 {
			t.Errorf("ConcernCounts after deleting a thread = %+v, want one concern left", counts)
		}
		must(t, s.DeleteThread(ctx(t), "acme/web", 99)) // nothing stored: no error
	})
}

func runComments(t *testing.T, open Opener) {
	t.Run("a stored comment reads back with its concerns in order", func(t *testing.T) {
		s := open(t)
		want := comment("review_comment", 1<<40, "acme/web", 7, t0, "product", "user_value", "scope", "priority")
		want.Thread, want.AuthorRole = store.ThreadPullRequest, "engineer"
		must(t, s.PutComment(ctx(t), want))
		got, ok := mustComment(t, s, "review_comment", 1<<40)
		if !ok || !sameComment(got, want) {
			t.Errorf("Comment = %+v, %v; want %+v", got, ok, want)
		}
	})

	t.Run("the same id under another kind is another comment", func(t *testing.T) {
		s := open(t)
		must(t, s.PutComment(ctx(t), comment("issue_comment", 5, "acme/web", 1, t0, "product")))
		must(t, s.PutComment(ctx(t), comment("review", 5, "acme/web", 1, t0, "implementation")))
		a, _ := mustComment(t, s, "issue_comment", 5)
		b, _ := mustComment(t, s, "review", 5)
		if a.Level != "product" || b.Level != "implementation" {
			t.Errorf("levels = %q, %q; want product, implementation", a.Level, b.Level)
		}
	})

	t.Run("an edit moves the comment to its new level and concerns", func(t *testing.T) {
		s := open(t)
		must(t, s.PutComment(ctx(t), comment("issue_comment", 1, "acme/web", 1, t0, "product", "user_value", "scope")))
		edited := comment("issue_comment", 1, "acme/web", 1, t0, "implementation", "performance")
		edited.UpdatedAt = t0.Add(time.Hour)
		must(t, s.PutComment(ctx(t), edited))
		got, _ := mustComment(t, s, "issue_comment", 1)
		if !sameComment(got, edited) {
			t.Errorf("Comment = %+v, want %+v", got, edited)
		}
		cc, err := s.CommentCounts(ctx(t), t0)
		must(t, err)
		want := []store.CommentCount{{Repo: "acme/web", Thread: "issue", AuthorRole: "product", Level: "implementation", Count: 1}}
		if !equalSorted(cc, want) {
			t.Errorf("CommentCounts after the edit = %+v, want %+v", cc, want)
		}
		kc, err := s.ConcernCounts(ctx(t), t0)
		must(t, err)
		wantK := []store.ConcernCount{{Repo: "acme/web", Thread: "issue", AuthorRole: "product", Concern: "performance", Count: 1}}
		if !equalSorted(kc, wantK) {
			t.Errorf("ConcernCounts after the edit = %+v, want %+v", kc, wantK)
		}
	})

	t.Run("a concern named twice counts once", func(t *testing.T) {
		s := open(t)
		must(t, s.PutComment(ctx(t), comment("issue_comment", 1, "acme/web", 1, t0, "product", "scope", "scope")))
		kc, err := s.ConcernCounts(ctx(t), t0)
		must(t, err)
		if len(kc) != 1 || kc[0].Count != 1 {
			t.Errorf("ConcernCounts = %+v, want scope once", kc)
		}
	})

	t.Run("deleting a comment reports whether it was stored", func(t *testing.T) {
		s := open(t)
		must(t, s.PutComment(ctx(t), comment("issue_comment", 1, "acme/web", 1, t0, "product", "scope")))
		for i, want := range []bool{true, false} {
			deleted, err := s.DeleteComment(ctx(t), "issue_comment", 1)
			if err != nil || deleted != want {
				t.Errorf("DeleteComment #%d = %v, %v; want %v", i+1, deleted, err, want)
			}
		}
		if _, ok := mustComment(t, s, "issue_comment", 1); ok {
			t.Error("deleted comment still stored")
		}
		kc, err := s.ConcernCounts(ctx(t), time.Time{})
		must(t, err)
		if len(kc) != 0 {
			t.Errorf("ConcernCounts after deleting the comment = %+v, want none", kc)
		}
	})
}

func runInstallations(t *testing.T, open Opener) {
	t.Run("an installation is stored and its suspension updated", func(t *testing.T) {
		s := open(t)
		must(t, s.PutInstallation(ctx(t), store.Installation{ID: 7, Account: "acme"}))
		must(t, s.PutInstallation(ctx(t), store.Installation{ID: 7, Account: "acme", Suspended: true}))
		got, ok, err := s.Installation(ctx(t), 7)
		if err != nil || !ok || got != (store.Installation{ID: 7, Account: "acme", Suspended: true}) {
			t.Errorf("Installation(7) = %+v, %v, %v; want acme, suspended", got, ok, err)
		}
		if _, ok, err := s.Installation(ctx(t), 8); ok || err != nil {
			t.Errorf("Installation(8) = %v, %v; want not found", ok, err)
		}
	})

	t.Run("deleting an installation forgets everything stored for it", func(t *testing.T) {
		s := open(t)
		must(t, s.PutInstallation(ctx(t), store.Installation{ID: 7, Account: "acme"}))
		must(t, s.PutInstallation(ctx(t), store.Installation{ID: 8, Account: "globex"}))
		mine, theirs := thread("acme/web", 1), thread("globex/app", 1)
		mine.InstallationID, theirs.InstallationID = 7, 8
		must(t, s.PutThread(ctx(t), mine))
		must(t, s.PutThread(ctx(t), theirs))
		c1, c2 := comment("issue_comment", 1, "acme/web", 1, t0, "product", "scope"),
			comment("issue_comment", 2, "globex/app", 1, t0, "product", "scope")
		c1.InstallationID, c2.InstallationID = 7, 8
		must(t, s.PutComment(ctx(t), c1))
		must(t, s.PutComment(ctx(t), c2))
		must(t, s.MarkConfigNotice(ctx(t), "acme/web", "h1"))
		mustEnqueue(t, s, delivery("uninstall", "", t0))

		must(t, s.DeleteInstallation(ctx(t), 7))

		if _, ok, _ := s.Installation(ctx(t), 7); ok {
			t.Error("installation 7 still stored")
		}
		if _, ok := mustThread(t, s, "acme/web", 1); ok {
			t.Error("thread of installation 7 still stored")
		}
		if _, ok := mustComment(t, s, "issue_comment", 1); ok {
			t.Error("comment of installation 7 still stored")
		}
		if sent, _ := s.ConfigNoticeSent(ctx(t), "acme/web", "h1"); sent {
			t.Error("config notice of installation 7's repository still stored")
		}
		if _, ok, _ := s.Installation(ctx(t), 8); !ok {
			t.Error("installation 8 deleted too")
		}
		if _, ok := mustThread(t, s, "globex/app", 1); !ok {
			t.Error("thread of installation 8 deleted too")
		}
		if _, ok := mustComment(t, s, "issue_comment", 2); !ok {
			t.Error("comment of installation 8 deleted too")
		}
		mustDepth(t, s, 1) // the queue is not the installation's to lose
	})

	t.Run("deleting a repository forgets its threads and comments only", func(t *testing.T) {
		s := open(t)
		must(t, s.PutThread(ctx(t), thread("acme/web", 1)))
		must(t, s.PutThread(ctx(t), thread("acme/web", 2)))
		must(t, s.PutThread(ctx(t), thread("acme/api", 1)))
		must(t, s.PutComment(ctx(t), comment("issue_comment", 1, "acme/web", 1, t0, "product", "scope")))
		must(t, s.PutComment(ctx(t), comment("issue_comment", 2, "acme/api", 1, t0, "product", "scope")))
		must(t, s.DeleteRepository(ctx(t), "acme/web"))
		for _, n := range []int{1, 2} {
			if _, ok := mustThread(t, s, "acme/web", n); ok {
				t.Errorf("acme/web#%d still stored", n)
			}
		}
		if _, ok := mustComment(t, s, "issue_comment", 1); ok {
			t.Error("comment in acme/web still stored")
		}
		if _, ok := mustThread(t, s, "acme/api", 1); !ok {
			t.Error("acme/api#1 deleted too")
		}
		if _, ok := mustComment(t, s, "issue_comment", 2); !ok {
			t.Error("comment in acme/api deleted too")
		}
	})

	t.Run("a config problem is noticed once per repository and hash", func(t *testing.T) {
		s := open(t)
		check := func(repo, hash string, want bool) {
			t.Helper()
			sent, err := s.ConfigNoticeSent(ctx(t), repo, hash)
			if err != nil || sent != want {
				t.Errorf("ConfigNoticeSent(%s, %s) = %v, %v; want %v", repo, hash, sent, err, want)
			}
		}
		check("acme/web", "h1", false)
		must(t, s.MarkConfigNotice(ctx(t), "acme/web", "h1"))
		must(t, s.MarkConfigNotice(ctx(t), "acme/web", "h1"))
		check("acme/web", "h1", true)
		check("acme/web", "h2", false)
		check("acme/api", "h1", false)
	})
}

func runGauges(t *testing.T, open Opener) {
	t.Run("issue counts cover open issues only", func(t *testing.T) {
		s := open(t)
		put := func(repo string, n int, kind string, state store.ThreadState, owner, rationale string) {
			th := thread(repo, n)
			th.Kind, th.State, th.Owner, th.Rationale = kind, state, owner, rationale
			must(t, s.PutThread(ctx(t), th))
		}
		put("acme/web", 1, store.ThreadIssue, "open", "@a", "strong")
		put("acme/web", 2, store.ThreadIssue, "open", "@a", "weak")
		put("acme/web", 3, store.ThreadIssue, "open", "", "none")
		put("acme/web", 4, store.ThreadIssue, "open", "", "")
		put("acme/web", 5, store.ThreadIssue, "open", "@org/team", "none")
		put("acme/web", 6, store.ThreadIssue, "closed", "", "none")
		put("acme/web", 7, store.ThreadPullRequest, "open", "", "none")
		put("acme/api", 1, store.ThreadIssue, "open", "", "strong")
		got, err := s.IssueCounts(ctx(t))
		must(t, err)
		want := []store.IssueCount{
			{Repo: "acme/api", HasOwner: false, HasRationale: true, Count: 1},
			{Repo: "acme/web", HasOwner: false, HasRationale: false, Count: 2},
			{Repo: "acme/web", HasOwner: true, HasRationale: false, Count: 1},
			{Repo: "acme/web", HasOwner: true, HasRationale: true, Count: 2},
		}
		if !equalSorted(got, want) {
			t.Errorf("IssueCounts = %+v, want %+v", got, want)
		}
	})

	t.Run("pull request counts cover open pull requests only", func(t *testing.T) {
		s := open(t)
		put := func(n int, kind string, state store.ThreadState, linked, rationale string) {
			th := thread("acme/web", n)
			th.Kind, th.State, th.LinkedIssue, th.Rationale = kind, state, linked, rationale
			must(t, s.PutThread(ctx(t), th))
		}
		put(1, store.ThreadPullRequest, "open", "owned", "strong")
		put(2, store.ThreadPullRequest, "open", "owned", "weak")
		put(3, store.ThreadPullRequest, "open", "unowned", "none")
		put(4, store.ThreadPullRequest, "open", "none", "none")
		put(5, store.ThreadPullRequest, "closed", "none", "none")
		put(6, store.ThreadIssue, "open", "", "none")
		got, err := s.PullRequestCounts(ctx(t))
		must(t, err)
		want := []store.PullRequestCount{
			{Repo: "acme/web", LinkedIssue: "none", HasRationale: false, Count: 1},
			{Repo: "acme/web", LinkedIssue: "owned", HasRationale: true, Count: 2},
			{Repo: "acme/web", LinkedIssue: "unowned", HasRationale: false, Count: 1},
		}
		if !equalSorted(got, want) {
			t.Errorf("PullRequestCounts = %+v, want %+v", got, want)
		}
	})

	t.Run("comment and concern counts cover comments created since the window start", func(t *testing.T) {
		s := open(t)
		since := t0
		put := func(id int64, repo, thread, role, level string, created time.Time, concerns ...string) {
			c := comment("issue_comment", id, repo, 1, created, level, concerns...)
			c.Thread, c.AuthorRole = thread, role
			must(t, s.PutComment(ctx(t), c))
		}
		put(1, "acme/web", "issue", "product", "product", since, "user_value", "scope")
		put(2, "acme/web", "issue", "product", "product", since.Add(time.Hour), "scope")
		put(3, "acme/web", "issue", "engineer", "implementation", since.Add(time.Minute), "performance")
		put(4, "acme/web", "pull_request", "engineer", "product", since.Add(time.Minute), "scope")
		put(5, "acme/api", "issue", "external", "product", since.Add(time.Microsecond))
		put(6, "acme/web", "issue", "product", "product", since.Add(-time.Microsecond), "scope") // before the window
		put(7, "acme/web", "issue", "product", "product", since.Add(-30*24*time.Hour), "user_value")

		cc, err := s.CommentCounts(ctx(t), since)
		must(t, err)
		wantC := []store.CommentCount{
			{Repo: "acme/api", Thread: "issue", AuthorRole: "external", Level: "product", Count: 1},
			{Repo: "acme/web", Thread: "issue", AuthorRole: "engineer", Level: "implementation", Count: 1},
			{Repo: "acme/web", Thread: "issue", AuthorRole: "product", Level: "product", Count: 2},
			{Repo: "acme/web", Thread: "pull_request", AuthorRole: "engineer", Level: "product", Count: 1},
		}
		if !equalSorted(cc, wantC) {
			t.Errorf("CommentCounts = %+v, want %+v", cc, wantC)
		}

		kc, err := s.ConcernCounts(ctx(t), since)
		must(t, err)
		wantK := []store.ConcernCount{
			{Repo: "acme/web", Thread: "issue", AuthorRole: "engineer", Concern: "performance", Count: 1},
			{Repo: "acme/web", Thread: "issue", AuthorRole: "product", Concern: "scope", Count: 2},
			{Repo: "acme/web", Thread: "issue", AuthorRole: "product", Concern: "user_value", Count: 1},
			{Repo: "acme/web", Thread: "pull_request", AuthorRole: "engineer", Concern: "scope", Count: 1},
		}
		if !equalSorted(kc, wantK) {
			t.Errorf("ConcernCounts = %+v, want %+v", kc, wantK)
		}

		all, err := s.CommentCounts(ctx(t), time.Time{})
		must(t, err)
		if total := sumCounts(all); total != 7 {
			t.Errorf("CommentCounts since the zero time counts %d comments, want all 7", total)
		}
	})

	t.Run("empty store has no series", func(t *testing.T) {
		s := open(t)
		ic, err1 := s.IssueCounts(ctx(t))
		pc, err2 := s.PullRequestCounts(ctx(t))
		cc, err3 := s.CommentCounts(ctx(t), time.Time{})
		kc, err4 := s.ConcernCounts(ctx(t), time.Time{})
		if err := errors.Join(err1, err2, err3, err4); err != nil {
			t.Fatal(err)
		}
		if len(ic)+len(pc)+len(cc)+len(kc) != 0 {
			t.Errorf("gauges of an empty store: %v %v %v %v, want none", ic, pc, cc, kc)
		}
	})
}

func sumCounts(cs []store.CommentCount) int {
	n := 0
	for _, c := range cs {
		n += c.Count
	}
	return n
}

// equalSorted compares two slices of series regardless of order.
func equalSorted[T any](got, want []T) bool {
	key := func(v T) string { return fmt.Sprintf("%+v", v) }
	g, w := make([]string, len(got)), make([]string, len(want))
	for i, v := range got {
		g[i] = key(v)
	}
	for i, v := range want {
		w[i] = key(v)
	}
	sort.Strings(g)
	sort.Strings(w)
	return strings.Join(g, "\n") == strings.Join(w, "\n")
}

func runPage(t *testing.T, open Opener) {
	t.Run("a repository's threads are listed by number, any state, and repositories once each", func(t *testing.T) {
		s := open(t)
		open12, closed3, pr20 := thread("acme/web", 12), thread("acme/web", 3), thread("acme/web", 20)
		closed3.State = store.StateClosed
		pr20.Kind, pr20.LinkedIssue, pr20.Links = store.ThreadPullRequest, "owned", []store.Link{{Repo: "acme/web", Number: 12, Kind: store.LinkIssue, Owner: "@octocat"}}
		pr20.PullState = `{"comments":{"issue_comment:1":{"p":true}}}`
		for _, th := range []store.Thread{open12, closed3, pr20, thread("acme/api", 1)} {
			must(t, s.PutThread(ctx(t), th))
		}
		var got []store.Thread
		must(t, s.EachThread(ctx(t), "acme/web", func(th store.Thread) error { got = append(got, th); return nil }))
		if len(got) != 3 || got[0].Number != 3 || got[1].Number != 12 || got[2].Number != 20 {
			t.Fatalf("Threads(acme/web) = %+v, want #3, #12, #20", got)
		}
		if got[0].State != store.StateClosed || got[2].LinkedIssue != "owned" || got[1].LookedIn != open12.LookedIn {
			t.Errorf("Threads(acme/web) lost state, linked issue or where detection looked: %+v", got)
		}
		if got[2].PullState != "" {
			t.Errorf("EachThread read a pull request's bookkeeping, which the page never shows: %q", got[2].PullState)
		}
		repos, err := s.Repositories(ctx(t))
		must(t, err)
		if !slices.Equal(repos, []string{"acme/api", "acme/web"}) {
			t.Errorf("Repositories = %q", repos)
		}
	})

	t.Run("a day's rollup is replaced by a later one of the same day and read from a day on", func(t *testing.T) {
		s := open(t)
		day := func(d int) time.Time { return time.Date(2024, 3, d, 0, 0, 0, 0, time.UTC) }
		must(t, s.PutRollups(ctx(t), []store.Rollup{
			{Repo: "acme/web", Day: day(1), OpenIssues: 10, WithOwner: 4},
			{Repo: "acme/web", Day: day(2), OpenIssues: 11, WithOwner: 5},
			{Repo: "acme/api", Day: day(2), OpenIssues: 3},
		}))
		must(t, s.PutRollups(ctx(t), []store.Rollup{{Repo: "acme/web", Day: day(2), OpenIssues: 12, WithOwner: 6, WithRationale: 5,
			WithBoth: 4, OpenPulls: 3, PullsLinkedToOwnedIssue: 2, PullsWithReason: 1}}))
		got, err := s.Rollups(ctx(t), day(2))
		must(t, err)
		want := []store.Rollup{
			{Repo: "acme/api", Day: day(2), OpenIssues: 3},
			{Repo: "acme/web", Day: day(2), OpenIssues: 12, WithOwner: 6, WithRationale: 5, WithBoth: 4, OpenPulls: 3, PullsLinkedToOwnedIssue: 2, PullsWithReason: 1},
		}
		if len(got) != len(want) {
			t.Fatalf("Rollups(from the 2nd) = %+v, want %+v", got, want)
		}
		for i := range want {
			if !got[i].Day.Equal(want[i].Day) {
				t.Errorf("rollup %d day %v, want %v", i, got[i].Day, want[i].Day)
			}
			got[i].Day = want[i].Day
			if got[i] != want[i] {
				t.Errorf("rollup %d = %+v, want %+v", i, got[i], want[i])
			}
		}
	})

	t.Run("forgetting a repository or an installation forgets its rollups", func(t *testing.T) {
		s := open(t)
		day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
		web, api, app := thread("acme/web", 1), thread("acme/api", 1), thread("globex/app", 1)
		web.InstallationID, api.InstallationID, app.InstallationID = 7, 7, 8
		for _, th := range []store.Thread{web, api, app} {
			must(t, s.PutThread(ctx(t), th))
		}
		must(t, s.PutRollups(ctx(t), []store.Rollup{
			{Repo: "acme/web", Day: day, OpenIssues: 1},
			{Repo: "acme/api", Day: day, OpenIssues: 1},
			{Repo: "globex/app", Day: day, OpenIssues: 1},
		}))
		must(t, s.DeleteRepository(ctx(t), "acme/web"))
		must(t, s.DeleteInstallation(ctx(t), 8))
		got, err := s.Rollups(ctx(t), day)
		must(t, err)
		if len(got) != 1 || got[0].Repo != "acme/api" {
			t.Errorf("rollups left = %+v, want acme/api's only", got)
		}
	})
}
