package pulls

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Link kinds, as the comment shows them.
const (
	linkIssue   = botcomment.LinkIssue
	linkPull    = botcomment.LinkPullRequest
	linkOutside = botcomment.LinkOutside
	linkMissing = botcomment.LinkMissing
)

// state is what the bot keeps of a pull request beyond store.Thread's
// columns, as JSON in Thread.LinksJSON: the links as resolved, the
// description's own reason, and the level of each person's comment, so the
// summary line needs no query and an event processed twice counts once.
type state struct {
	Links    []link `json:"links,omitempty"`
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
type link struct {
	Repo    string `json:"repo"` // "owner/name", lower case
	Number  int    `json:"number"`
	Closing bool   `json:"closing,omitempty"`
	Kind    string `json:"kind"`
	// The issue's owner and rationale strength, for linkIssue.
	Owner     string `json:"owner,omitempty"`
	Rationale string `json:"rationale,omitempty"`
	// Cached is set for an issue read from GitHub but not stored (its
	// repository's config ignores it), so it is not read again.
	Cached bool `json:"cached,omitempty"`
}

// links reports whether the state links issue repo#number.
func (s state) links(repo string, number int) bool {
	for _, l := range s.Links {
		if l.Repo == repo && l.Number == number {
			return true
		}
	}
	return false
}

// ref names the link as seen from the pull request's repository.
func (l link) ref(base string) string {
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

// tally records the stored analysis of one comment, or its absence (ok
// false: deleted, ignored). Bots' comments are never participation.
func (s *state) tally(kind string, id int64, c store.Comment, ok bool) {
	key := kind + ":" + strconv.FormatInt(id, 10)
	if !ok || c.AuthorRole == string(analysis.RoleBot) {
		delete(s.Comments, key)
		return
	}
	if s.Comments == nil {
		s.Comments = map[string]tally{}
	}
	s.Comments[key] = tally{Product: c.Level == "product", Concerns: c.Concerns}
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
		HasReason:          rank(s.Reason) > 0,
		ReasonEvidence:     s.Evidence,
		RequireLinkedIssue: cfg.PullRequests.RequireLinkedIssue,
		DocsURL:            docsURL,
	}
	for _, l := range s.Links {
		st.Links = append(st.Links, botcomment.PullLink{
			Ref: l.ref(repo), Closing: l.Closing, Kind: l.Kind, Owner: l.Owner, HasRationale: rank(l.Rationale) > 0,
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

// encodeState is deterministic (map keys sorted), so an unchanged state
// compares equal and costs no write.
func encodeState(s state) string {
	if len(s.Links) == 0 && s.Reason == "" && len(s.Comments) == 0 && !s.MergeObserved {
		return ""
	}
	b, _ := json.Marshal(s) // plain data: cannot fail
	return string(b)
}

// decodeState reads a stored state; one that does not decode (written by a
// future version) is treated as empty and rebuilt by the next events.
func decodeState(s string) state {
	var st state
	if s != "" {
		_ = json.Unmarshal([]byte(s), &st)
	}
	return st
}
