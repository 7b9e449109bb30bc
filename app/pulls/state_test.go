package pulls

import (
	"slices"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

func TestTallyCountsPeopleOnceAndNeverBots(t *testing.T) {
	var s state
	product := store.Comment{AuthorRole: "engineer", Level: "product", Concerns: []string{"reliability"}}
	s.tally(threads.KindReview, 1, product, true)
	s.tally(threads.KindReview, 1, product, true) // the same event processed twice counts once
	s.tally(threads.KindReviewComment, 2, store.Comment{AuthorRole: "product", Level: "product", Concerns: []string{"performance", "reliability"}}, true)
	s.tally(threads.KindReviewComment, 3, store.Comment{AuthorRole: "external", Level: "implementation"}, true)
	s.tally("issue_comment", 4, store.Comment{AuthorRole: "bot", Level: "product", Concerns: []string{"performance"}}, true)
	if people, prod := s.discussion(); people != 3 || prod != 2 {
		t.Fatalf("discussion = %d people's comments, %d product-level; want 3, 2", people, prod)
	}
	st := s.status("acme/web", config.Loaded{Config: config.Default()}, "")
	if want := []string{"reliability", "performance"}; !slices.Equal(st.Discussion.Concerns, want) {
		t.Fatalf("concerns = %v, want most raised first %v", st.Discussion.Concerns, want)
	}
	s.tally(threads.KindReviewComment, 3, store.Comment{}, false) // deleted
	if people, _ := s.discussion(); people != 2 {
		t.Fatalf("after a deletion, %d comments, want 2", people)
	}
}

func TestStateEncodingIsStable(t *testing.T) {
	s := state{Links: []link{{Repo: "acme/api", Number: 3, Closing: true, Kind: linkIssue, Owner: "@bob", Rationale: "strong"}}, Reason: "none"}
	for i := range 20 {
		s.tally(threads.KindReviewComment, int64(i), store.Comment{AuthorRole: "engineer", Level: "implementation"}, true)
	}
	var first store.Thread
	encodeState(&first, s)
	for range 10 {
		var got store.Thread
		encodeState(&got, decodeState(first))
		if !got.SameState(first) {
			t.Fatalf("encoding is not stable:\n%+v\n%+v", first, got)
		}
	}
	if got := ref(link{Repo: "acme/api", Number: 3}, "acme/web"); got != "acme/api#3" {
		t.Fatalf("cross-repository ref = %q", got)
	}
	if got := ref(link{Repo: "acme/web", Number: 3}, "acme/web"); got != "#3" {
		t.Fatalf("same-repository ref = %q", got)
	}
	if got := decodeState(store.Thread{PullState: "{not json"}); got.Links != nil || got.Reason != "" || got.Comments != nil {
		t.Fatal("a state that does not decode should read as empty")
	}
}

// tallied tells a backfill which comments it read the summary lacks or
// keeps otherwise, after the state went through its JSON.
func TestTalliedIsWhatTallyWouldChangeNothingFor(t *testing.T) {
	var s state
	product := store.Comment{AuthorRole: "engineer", Level: "product", Concerns: []string{"reliability"}}
	nit := store.Comment{AuthorRole: "engineer", Level: "implementation"}
	bot := store.Comment{AuthorRole: "bot", Level: "product"}
	s.tally(threads.KindReview, 1, product, true)
	s.tally(threads.KindReviewComment, 2, nit, true)
	var th store.Thread
	encodeState(&th, s)
	s = decodeState(th)
	for _, c := range []struct {
		kind string
		id   int64
		c    store.Comment
		ok   bool
		want bool
	}{
		{threads.KindReview, 1, product, true, true},
		{threads.KindReviewComment, 2, nit, true, true},
		{threads.KindReviewComment, 2, product, true, false}, // edited since
		{threads.KindReview, 1, nit, true, false},            // edited since
		{threads.KindIssueComment, 1, product, true, false},  // another kind, same id
		{threads.KindIssueComment, 3, nit, true, false},      // never counted
		{threads.KindIssueComment, 4, bot, true, true},       // never counts
		{threads.KindIssueComment, 5, store.Comment{}, false, true},
	} {
		if got := s.tallied(c.kind, c.id, c.c, c.ok); got != c.want {
			t.Errorf("tallied(%s:%d, %+v, %v) = %v, want %v", c.kind, c.id, c.c, c.ok, got, c.want)
		}
	}
}
