package pulls

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// Link kinds, as stored and as the comment shows them.
const (
	linkIssue   = store.LinkIssue
	linkPull    = store.LinkPullRequest
	linkOutside = store.LinkOutside
	linkMissing = store.LinkMissing
)

// state is what the bot keeps of a pull request beyond store.Thread's
// columns: the links as resolved (in Thread.Links), and, as JSON in
// Thread.PullState, the description's own reason and the level of each
// person's comment, so the summary line needs no query and an event
// processed twice counts once.
type state struct {
	Links    []link `json:"-"`
	Reason   string `json:"reason,omitempty"` // the description's own rationale strength
	Evidence string `json:"evidence,omitempty"`
	// Comments maps "kind:id" of each person's comment (bots excluded) to
	// its analysis as it stands now.
	Comments map[string]tally `json:"comments,omitempty"`
	// MergeObserved is set once the merged pull request's review comments
	// were observed in the histogram.
	MergeObserved bool `json:"merge_observed,omitempty"`
}

// link is one issue a pull request refers to, as resolved.
type link = store.Link

// ref names the link as seen from the pull request's repository.
func ref(l link, base string) string {
	if l.Repo == base {
		return "#" + strconv.Itoa(l.Number)
	}
	return l.Repo + "#" + strconv.Itoa(l.Number)
}

// tally is one comment's level and concerns.
type tally struct {
	Product  bool     `json:"p,omitempty"`
	Concerns []string `json:"c,omitempty"`
}

// tallyOf is what the summary keeps of a comment's stored analysis, or
// of its absence (ok false: deleted, ignored): counts false when it is not
// participation, as a bot's comment never is.
func tallyOf(kind string, id int64, c store.Comment, ok bool) (key string, t tally, counts bool) {
	key = kind + ":" + strconv.FormatInt(id, 10)
	if !ok || c.AuthorRole == string(analysis.RoleBot) {
		return key, tally{}, false
	}
	return key, tally{Product: c.Level == "product", Concerns: c.Concerns}, true
}

// tally records the stored analysis of one comment, or its absence.
func (s *state) tally(kind string, id int64, c store.Comment, ok bool) {
	key, t, counts := tallyOf(kind, id, c, ok)
	if !counts {
		delete(s.Comments, key)
		return
	}
	if s.Comments == nil {
		s.Comments = map[string]tally{}
	}
	s.Comments[key] = t
}

// tallied reports whether the summary already keeps a comment as tally
// would record it.
func (s *state) tallied(kind string, id int64, c store.Comment, ok bool) bool {
	key, t, counts := tallyOf(kind, id, c, ok)
	had, kept := s.Comments[key]
	return kept == counts && had.Product == t.Product && slices.Equal(had.Concerns, t.Concerns)
}

// discussion counts people's comments and the product-level ones.
func (s *state) discussion() (people, product int) {
	for _, t := range s.Comments {
		people++
		if t.Product {
			product++
		}
	}
	return people, product
}

// status is what the comment shows.
func (s *state) status(repo string, cfg config.Loaded, docsURL string) botcomment.PullRequestStatus {
	st := botcomment.PullRequestStatus{
		HasReason:          threads.Rank(s.Reason) > 0,
		ReasonEvidence:     s.Evidence,
		RequireLinkedIssue: cfg.PullRequests.RequireLinkedIssue,
		Intro:              cfg.Nudge.Intro,
		DocsURL:            docsURL,
	}
	for _, l := range s.Links {
		st.Links = append(st.Links, botcomment.PullLink{
			Ref: ref(l, repo), Closing: l.Closing, Kind: l.Kind, Owner: l.Owner, HasRationale: threads.Rank(l.Rationale) > 0,
		})
	}
	counts := map[string]int{}
	for _, t := range s.Comments {
		st.Discussion.Total++
		if t.Product {
			st.Discussion.ProductLevel++
			for _, c := range t.Concerns {
				counts[c]++
			}
		}
	}
	for c := range counts {
		st.Discussion.Concerns = append(st.Discussion.Concerns, c)
	}
	order := func(c string) int { return slices.Index(analysis.AllConcerns, analysis.Concern(c)) }
	slices.SortFunc(st.Discussion.Concerns, func(a, b string) int {
		if counts[a] != counts[b] {
			return counts[b] - counts[a]
		}
		return order(a) - order(b)
	})
	return st
}

func renderPullRequest(s botcomment.PullRequestStatus) string { return botcomment.RenderPullRequest(s) }

// encodeState writes a state into the thread. The JSON is deterministic
// (map keys sorted), so an unchanged state compares equal and costs no write.
func encodeState(t *store.Thread, s state) {
	t.Links, t.PullState = s.Links, ""
	if s.Reason == "" && len(s.Comments) == 0 && !s.MergeObserved {
		return
	}
	b, _ := json.Marshal(s) // plain data: cannot fail
	t.PullState = string(b)
}

// decodeState reads a stored state; bookkeeping that does not decode
// (written by a future version) is treated as empty and rebuilt by the next
// events.
func decodeState(t store.Thread) state {
	var st state
	if t.PullState != "" {
		_ = json.Unmarshal([]byte(t.PullState), &st)
	}
	st.Links = t.Links
	return st
}
