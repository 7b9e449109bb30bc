// Package report builds an ownership report of a repository from the JSON
// that the GitHub CLI prints, so anyone can see who owns the work and why it
// matters without installing the App:
//
//	gh issue list --state all --limit 500 --json number,title,body,author,assignees,labels,comments,state,createdAt,closedAt,url > issues.json
//	gh pr list --state all --limit 500 --json number,title,body,author,assignees,labels,comments,reviews,state,createdAt,closedAt,url > prs.json
//
// Parse reads any number of such JSON arrays (or single objects, as
// "gh issue view --json" prints), back to back in one stream or one per
// file; Build judges every issue, pull request, comment and review with
// package analysis and counts per repository; the Render functions print
// the result as a terminal table, Markdown or JSON (docs/reference.md).
package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
)

// Actor is a gh "author" or "assignees" entry. gh sets is_bot on the
// authors of issues and pull requests; some exports carry GitHub's user
// type; comment authors often have only a login.
type Actor struct {
	Login string `json:"login"`
	IsBot bool   `json:"is_bot"`
	Type  string `json:"type"`
}

// bots knows the bots of one export: by analysis.IsBot, and by the slugs of
// Apps seen elsewhere in the export as bots, since gh names a third-party
// App "app/renovate" as an author and "renovate" as a commenter.
type bots map[string]bool

func exportBots(exp *Export) bots {
	b := bots{}
	learn := func(a Actor) {
		if a.IsBot || analysis.IsBot(a.Login, a.Type) {
			b[analysis.BotSlug(a.Login)] = true
		}
	}
	for _, it := range exp.Items {
		learn(it.Author)
		for _, c := range it.Comments {
			learn(c.Author)
		}
		for _, c := range it.Reviews {
			learn(c.Author)
		}
	}
	return b
}

func (b bots) is(a Actor) bool {
	return a.IsBot || analysis.IsBot(a.Login, a.Type) || b[analysis.BotSlug(a.Login)]
}

// Label is a gh "labels" entry.
type Label struct {
	Name string `json:"name"`
}

// Comment is a gh "comments" or "reviews" entry; reviews have a state.
type Comment struct {
	Author            Actor  `json:"author"`
	AuthorAssociation string `json:"authorAssociation"`
	Body              string `json:"body"`
	State             string `json:"state"`
}

// Item is one issue or pull request of a gh export.
type Item struct {
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	State     string    `json:"state"`
	URL       string    `json:"url"`
	Author    Actor     `json:"author"`
	Assignees []Actor   `json:"assignees"`
	Labels    []Label   `json:"labels"`
	Comments  []Comment `json:"comments"`
	Reviews   []Comment `json:"reviews"`
	CreatedAt time.Time `json:"createdAt"`

	repo   string // "owner/name", from URL
	isPull bool
}

// Export is everything read from one or more gh exports.
type Export struct {
	Items []Item
}

// ErrNotExport is wrapped by Parse's errors for input that is not a gh export.
var ErrNotExport = errors.New("not a gh export")

// maxExport caps the bytes Parse reads, far above any real export.
const maxExport = 2 << 30

// Parse reads gh "issue list" / "pr list" JSON: arrays of objects or single
// objects, any number back to back. Every item needs a number and a url
// (the repository comes from the url).
func Parse(r io.Reader) (*Export, error) {
	dec := json.NewDecoder(io.LimitReader(r, maxExport))
	exp := &Export{}
	values := 0
	for {
		var raw json.RawMessage
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%w: the input is not valid JSON (%s)", ErrNotExport, shortJSONError(err))
		}
		values++
		raw = bytes.TrimSpace(raw)
		var items []json.RawMessage
		switch {
		case len(raw) > 0 && raw[0] == '[':
			if err := json.Unmarshal(raw, &items); err != nil {
				return nil, fmt.Errorf("%w: %s", ErrNotExport, shortJSONError(err))
			}
		case len(raw) > 0 && raw[0] == '{':
			items = []json.RawMessage{raw}
		default:
			return nil, fmt.Errorf("%w: value %d is neither a list of issues or pull requests nor one of them", ErrNotExport, values)
		}
		for i, rawItem := range items {
			var it Item
			if err := json.Unmarshal(rawItem, &it); err != nil {
				return nil, fmt.Errorf("%w: item %d of value %d does not look like a gh issue or pull request (%s)", ErrNotExport, i+1, values, shortJSONError(err))
			}
			if it.Number <= 0 || it.URL == "" {
				return nil, fmt.Errorf("%w: item %d of value %d has no number or url; export with --json including number and url", ErrNotExport, i+1, values)
			}
			repo, pull, ok := repoFromURL(it.URL)
			if !ok {
				return nil, fmt.Errorf("%w: item %d of value %d has url %q, which is not a GitHub issue or pull request url", ErrNotExport, i+1, values, it.URL)
			}
			it.repo, it.isPull = repo, pull
			exp.Items = append(exp.Items, it)
		}
	}
	if values == 0 {
		return nil, fmt.Errorf("%w: the input is empty", ErrNotExport)
	}
	return exp, nil
}

func shortJSONError(err error) string {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return fmt.Sprintf("invalid JSON at byte %d", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field != "" {
			return fmt.Sprintf("field %q has the wrong type", typ.Field)
		}
		return "a value has the wrong type"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "the JSON ends early"
	}
	var perr *time.ParseError
	if errors.As(err, &perr) {
		return "a date is not in RFC 3339 form"
	}
	return "invalid JSON"
}

// repoFromURL reads "owner/name" from an issue or pull request url, on
// github.com or a GitHub Enterprise host.
func repoFromURL(raw string) (string, bool, bool) {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", false, false
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) < 4 || parts[0] == "" || parts[1] == "" {
		return "", false, false
	}
	switch parts[2] {
	case "issues":
		return parts[0] + "/" + parts[1], false, true
	case "pull", "pulls":
		return parts[0] + "/" + parts[1], true, true
	}
	return "", false, false
}

// Options tunes Build.
type Options struct {
	// ProductLogins are the logins of product people (without "@"); their
	// comments count under the product role.
	ProductLogins []string
	// Owner and Rationale are the repository's detection settings; zero
	// values mean the defaults.
	Owner     analysis.OwnerOptions
	Rationale analysis.RationaleOptions
	// MaxAttention caps needs_attention; 0 means 10.
	MaxAttention int
	// Analyzer classifies the comments; required.
	Analyzer *analysis.Analyzer
}

// Report is the ownership report of one repository; its JSON form is in
// docs/reference.md.
type Report struct {
	Repository     string          `json:"repository"`
	Issues         IssueCounts     `json:"issues"`
	PullRequests   PullCounts      `json:"pull_requests"`
	Comments       CommentCounts   `json:"comments"`
	NeedsAttention []AttentionItem `json:"needs_attention"`
}

// IssueCounts counts issues, open and closed.
type IssueCounts struct {
	Total         int `json:"total"`
	Open          int `json:"open"`
	WithOwner     int `json:"with_owner"`
	WithRationale int `json:"with_rationale"`
	WithBoth      int `json:"with_both"`
}

// PullCounts counts pull requests, open and closed.
type PullCounts struct {
	Total              int `json:"total"`
	LinkedToOwnedIssue int `json:"linked_to_owned_issue"`
	WithRationale      int `json:"with_rationale"`
}

// LevelCounts splits comments into product-level and implementation.
type LevelCounts struct {
	Product        int `json:"product"`
	Implementation int `json:"implementation"`
}

// CommentCounts counts comments and reviews with a body, on issues and pull
// requests.
type CommentCounts struct {
	Total    int                           `json:"total"`
	ByRole   map[analysis.Role]LevelCounts `json:"by_role"`
	Concerns map[analysis.Concern]int      `json:"concerns"`
}

// AttentionItem is an open issue missing an owner, a rationale or both.
type AttentionItem struct {
	Number  int      `json:"number"`
	Title   string   `json:"title"`
	URL     string   `json:"url"`
	Missing []string `json:"missing"`

	comments  int
	createdAt time.Time
}

// Roles lists the roles in report order.
var Roles = []analysis.Role{analysis.RoleEngineer, analysis.RoleProduct, analysis.RoleExternal, analysis.RoleBot}

// Build judges every item of the export and returns one report per
// repository, sorted by repository name.
func Build(exp *Export, opts Options) []Report {
	maxAttention := opts.MaxAttention
	if maxAttention <= 0 {
		maxAttention = 10
	}
	product := map[string]bool{}
	for _, l := range opts.ProductLogins {
		product[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(l), "@"))] = true
	}
	byRepo := map[string]*Report{}
	repoOf := func(name string) *Report {
		r := byRepo[name]
		if r == nil {
			r = &Report{Repository: name, NeedsAttention: []AttentionItem{}, Comments: CommentCounts{
				ByRole: map[analysis.Role]LevelCounts{}, Concerns: map[analysis.Concern]int{}}}
			for _, role := range Roles {
				r.Comments.ByRole[role] = LevelCounts{}
			}
			for _, c := range analysis.AllConcerns {
				r.Comments.Concerns[c] = 0
			}
			byRepo[name] = r
		}
		return r
	}

	// Issues first, so pull requests can look up their linked issues.
	type issueKey struct {
		repo   string
		number int
	}
	owned := map[issueKey]bool{}
	isBot := exportBots(exp)
	for i := range exp.Items {
		it := &exp.Items[i]
		if it.isPull || isBot.is(it.Author) {
			continue // a bot's issue is not judged, as serve leaves it alone
		}
		r := repoOf(it.repo)
		_, hasOwner := analysis.DetectOwner(ownerInput(it), opts.Owner)
		hasRationale := opts.Analyzer.DetectRationale(it.Title, it.Body, opts.Rationale).Present()
		owned[issueKey{strings.ToLower(it.repo), it.Number}] = hasOwner
		r.Issues.Total++
		open := strings.EqualFold(it.State, "open")
		if open {
			r.Issues.Open++
		}
		if hasOwner {
			r.Issues.WithOwner++
		}
		if hasRationale {
			r.Issues.WithRationale++
		}
		if hasOwner && hasRationale {
			r.Issues.WithBoth++
		}
		if open && !(hasOwner && hasRationale) {
			var missing []string
			if !hasOwner {
				missing = append(missing, "owner")
			}
			if !hasRationale {
				missing = append(missing, "rationale")
			}
			r.NeedsAttention = append(r.NeedsAttention, AttentionItem{Number: it.Number, Title: it.Title, URL: it.URL,
				Missing: missing, comments: len(it.Comments), createdAt: it.CreatedAt})
		}
	}
	for i := range exp.Items {
		it := &exp.Items[i]
		if isBot.is(it.Author) {
			continue
		}
		r := repoOf(it.repo)
		countComments(r, it.Comments, product, isBot, opts.Analyzer)
		countComments(r, it.Reviews, product, isBot, opts.Analyzer)
		if !it.isPull {
			continue
		}
		r.PullRequests.Total++
		pullOpts := opts.Rationale
		pullOpts.PullRequest = true
		if opts.Analyzer.DetectRationale(it.Title, it.Body, pullOpts).Present() {
			r.PullRequests.WithRationale++
		}
		for _, l := range analysis.ParseLinks(it.Title, it.Body) {
			if !l.Closing {
				continue
			}
			repo := it.repo
			if l.Owner != "" {
				repo = l.Owner + "/" + l.Repo
			}
			if owned[issueKey{strings.ToLower(repo), l.Number}] {
				r.PullRequests.LinkedToOwnedIssue++
				break
			}
		}
	}

	out := make([]Report, 0, len(byRepo))
	for _, r := range byRepo {
		sort.SliceStable(r.NeedsAttention, func(i, j int) bool {
			a, b := r.NeedsAttention[i], r.NeedsAttention[j]
			if len(a.Missing) != len(b.Missing) {
				return len(a.Missing) > len(b.Missing) // missing both first
			}
			if a.comments != b.comments {
				return a.comments > b.comments // then the most discussed
			}
			if !a.createdAt.Equal(b.createdAt) {
				return a.createdAt.Before(b.createdAt) // then the oldest
			}
			return a.Number < b.Number
		})
		if len(r.NeedsAttention) > maxAttention {
			r.NeedsAttention = r.NeedsAttention[:maxAttention]
		}
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Repository < out[j].Repository })
	return out
}

func ownerInput(it *Item) analysis.OwnerInput {
	in := analysis.OwnerInput{Body: it.Body}
	for _, a := range it.Assignees {
		in.Assignees = append(in.Assignees, a.Login)
	}
	for _, l := range it.Labels {
		in.Labels = append(in.Labels, l.Name)
	}
	return in
}

func countComments(r *Report, comments []Comment, product map[string]bool, isBot bots, analyzer *analysis.Analyzer) {
	for _, c := range comments {
		if strings.TrimSpace(c.Body) == "" {
			continue // a review approved without words, say
		}
		role := analysis.RoleOf(analysis.Author{
			Login:       c.Author.Login,
			IsBot:       isBot.is(c.Author),
			Association: c.AuthorAssociation,
			IsProduct:   product[strings.ToLower(c.Author.Login)],
		})
		a := analyzer.AnalyzeComment(c.Body)
		r.Comments.Total++
		lc := r.Comments.ByRole[role]
		if a.ProductLevel {
			lc.Product++
		} else {
			lc.Implementation++
		}
		r.Comments.ByRole[role] = lc
		for _, k := range a.Concerns {
			r.Comments.Concerns[k]++
		}
	}
}
