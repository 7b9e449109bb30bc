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
	"github.com/ownershipbot/ownershipbot/analysis/figures"
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

	repo    string // "owner/name", from URL
	isPull  bool
	present map[string]bool // the keys the export gave this item
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
			var keys map[string]json.RawMessage
			if err := json.Unmarshal(rawItem, &it); err != nil {
				return nil, fmt.Errorf("%w: item %d of value %d does not look like a gh issue or pull request (%s)", ErrNotExport, i+1, values, shortJSONError(err))
			}
			if err := json.Unmarshal(rawItem, &keys); err == nil {
				it.present = make(map[string]bool, len(keys))
				for k := range keys {
					it.present[k] = true
				}
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
	// IgnoreLabels and IgnoreAuthors leave issues and pull requests alone,
	// as the repository's ignore settings make the App do: not counted.
	IgnoreLabels, IgnoreAuthors []string
	// MaxAttention caps needs_attention; 0 means figures.MaxNeeds.
	MaxAttention int
	// Analyzer classifies the comments; required.
	Analyzer *analysis.Analyzer
}

// Report is the ownership report of one repository; its JSON form is in
// docs/reference.md. Its figures follow package figures' definitions.
type Report struct {
	Repository     string          `json:"repository"`
	Issues         IssueCounts     `json:"issues"`
	PullRequests   PullCounts      `json:"pull_requests"`
	Comments       CommentCounts   `json:"comments"`
	NeedsAttention []AttentionItem `json:"needs_attention"`
	// Warnings name the figures the export cannot support: fields it lacks.
	Warnings []string `json:"warnings"`
}

// IssueCounts counts issues. WithOwner, WithRationale and WithBoth count
// open issues, the denominator of every share; closed ones are apart.
type IssueCounts struct {
	Total         int `json:"total"`
	Open          int `json:"open"`
	WithOwner     int `json:"with_owner"`
	WithRationale int `json:"with_rationale"`
	WithBoth      int `json:"with_both"`
	Closed        int `json:"closed"`
}

// PullCounts counts pull requests. LinkedToOwnedIssue and WithRationale
// count open pull requests; merged and closed ones are apart.
type PullCounts struct {
	Total              int `json:"total"`
	Open               int `json:"open"`
	LinkedToOwnedIssue int `json:"linked_to_owned_issue"`
	WithRationale      int `json:"with_rationale"`
	Closed             int `json:"closed"`
}

// LevelCounts splits comments into product-level and implementation.
type LevelCounts struct {
	Product        int `json:"product"`
	Implementation int `json:"implementation"`
}

// CommentCounts counts comments and reviews with a body, on issues and pull
// requests; ByThread splits ByRole between the two.
type CommentCounts struct {
	Total    int                                      `json:"total"`
	ByRole   map[analysis.Role]LevelCounts            `json:"by_role"`
	Concerns map[analysis.Concern]int                 `json:"concerns"`
	ByThread map[string]map[analysis.Role]LevelCounts `json:"by_thread"`
}

// Figures returns the counts as package figures' comment figures, over
// every thread or, with thread "issue" or "pull_request", one kind.
func (c CommentCounts) Figures(thread string) figures.Comments {
	out := figures.NewComments()
	byRole := c.ByRole
	if thread != "" {
		byRole = c.ByThread[thread]
	}
	for role, l := range byRole {
		out.ByRole[role] = figures.Levels{Product: l.Product, Implementation: l.Implementation}
	}
	if thread == "" {
		for k, n := range c.Concerns {
			out.Concerns[k] = n
		}
	}
	return out
}

// AttentionItem is an open issue missing an owner, a rationale or both,
// with where the owner and the reason were looked for.
type AttentionItem struct {
	Number    int       `json:"number"`
	Title     string    `json:"title"`
	URL       string    `json:"url"`
	Missing   []string  `json:"missing"`
	LookedFor LookedFor `json:"looked_for"`

	need figures.Need
}

// LookedFor says in words where detection looked, per missing thing.
type LookedFor struct {
	Owner     []string `json:"owner"`
	Rationale []string `json:"rationale"`
}

// Roles lists the roles in report order.
var Roles = figures.Roles

// Thread kinds, the keys of CommentCounts.ByThread.
const (
	ThreadIssue       = "issue"
	ThreadPullRequest = "pull_request"
)

// fieldNeeds names the export fields the figures need, per kind, and what is
// wrong without them.
var fieldNeeds = []struct {
	field string
	pulls bool // a field of pull requests, else of issues
	lack  string
}{
	{"state", false, "open and closed issues cannot be told apart, so every issue counts as closed and no share can be computed"},
	{"assignees", false, "owners named only by assignment are not found, so \"with an owner\" is too low"},
	{"labels", false, "owner labels and ignored labels are not read, so \"with an owner\" may be too low"},
	{"body", false, "owner lines and rationales in descriptions are not read, so \"with an owner\" and \"with a rationale\" are too low"},
	{"comments", false, "issue comments are not counted"},
	{"createdAt", false, "issues in need are not ordered by age"},
	{"state", true, "open and closed pull requests cannot be told apart"},
	{"body", true, "links to issues and reasons in descriptions are not read, so \"linked to an owned issue\" and \"with a reason\" are too low"},
	{"comments", true, "pull request conversation comments are not counted"},
	{"reviews", true, "reviews are not counted"},
}

// warnings lists the fields the items lack, with what that does to the
// figures, in the words of fieldNeeds.
func warnings(items []*Item) []string {
	out := []string{}
	for _, need := range fieldNeeds {
		kind, n, lacking := "issues", 0, 0
		if need.pulls {
			kind = "pull requests"
		}
		for _, it := range items {
			if it.isPull != need.pulls {
				continue
			}
			n++
			if it.present != nil && !it.present[need.field] {
				lacking++
			}
		}
		if lacking > 0 {
			out = append(out, fmt.Sprintf("%d of %d %s have no %q in the export: %s; export with --json including %s", lacking, n, kind, need.field, need.lack, need.field))
		}
	}
	return out
}

// Build judges every item of the export and returns one report per
// repository, sorted by repository name.
func Build(exp *Export, opts Options) []Report {
	maxAttention := opts.MaxAttention
	if maxAttention <= 0 {
		maxAttention = figures.MaxNeeds
	}
	product := map[string]bool{}
	for _, l := range opts.ProductLogins {
		product[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(l), "@"))] = true
	}
	ignoredAuthor := map[string]bool{}
	for _, l := range opts.IgnoreAuthors {
		ignoredAuthor[strings.ToLower(strings.TrimPrefix(strings.TrimSpace(l), "@"))] = true
	}
	ignoredLabel := map[string]bool{}
	for _, l := range opts.IgnoreLabels {
		ignoredLabel[strings.ToLower(strings.TrimSpace(l))] = true
	}
	byRepo := map[string]*Report{}
	items := map[string][]*Item{}
	repoOf := func(name string) *Report {
		r := byRepo[name]
		if r == nil {
			r = &Report{Repository: name, NeedsAttention: []AttentionItem{}, Comments: CommentCounts{
				ByRole: map[analysis.Role]LevelCounts{}, Concerns: map[analysis.Concern]int{},
				ByThread: map[string]map[analysis.Role]LevelCounts{ThreadIssue: {}, ThreadPullRequest: {}}}}
			for _, role := range Roles {
				r.Comments.ByRole[role] = LevelCounts{}
				r.Comments.ByThread[ThreadIssue][role] = LevelCounts{}
				r.Comments.ByThread[ThreadPullRequest][role] = LevelCounts{}
			}
			for _, c := range analysis.AllConcerns {
				r.Comments.Concerns[c] = 0
			}
			byRepo[name] = r
		}
		return r
	}
	isBot := exportBots(exp)
	ignored := func(it *Item) bool {
		if isBot.is(it.Author) || ignoredAuthor[strings.ToLower(it.Author.Login)] {
			return true // a bot's issue is not judged, as serve leaves it alone
		}
		for _, l := range it.Labels {
			if ignoredLabel[strings.ToLower(l.Name)] {
				return true
			}
		}
		return false
	}

	// Issues first, so pull requests can look up their linked issues.
	type issueKey struct {
		repo   string
		number int
	}
	type judged struct{ owner, rationale bool }
	issues := map[issueKey]judged{}
	for i := range exp.Items {
		it := &exp.Items[i]
		if ignored(it) {
			continue
		}
		items[it.repo] = append(items[it.repo], it)
		if it.isPull {
			continue
		}
		r := repoOf(it.repo)
		_, hasOwner := analysis.DetectOwner(ownerInput(it), opts.Owner)
		hasRationale := opts.Analyzer.DetectRationale(it.Title, it.Body, opts.Rationale).Present()
		issues[issueKey{strings.ToLower(it.repo), it.Number}] = judged{hasOwner, hasRationale}
		open := strings.EqualFold(it.State, "open")
		var c figures.Issues
		c.Add(open, hasOwner, hasRationale)
		r.Issues.Total++
		r.Issues.Open += c.Open
		r.Issues.Closed += c.Closed
		r.Issues.WithOwner += c.WithOwner
		r.Issues.WithRationale += c.WithRationale
		r.Issues.WithBoth += c.WithBoth
		if open && !(hasOwner && hasRationale) {
			need := figures.Need{Number: it.Number, MissingOwner: !hasOwner, MissingRationale: !hasRationale, CreatedAt: it.CreatedAt}
			looked := figures.LookedIn{OwnerFields: opts.Owner.Fields, OwnerLabel: opts.Owner.LabelPattern,
				RationaleHeadings: opts.Rationale.Headings, NoAssignees: it.present != nil && !it.present["assignees"]}
			r.NeedsAttention = append(r.NeedsAttention, AttentionItem{Number: it.Number, Title: it.Title, URL: it.URL,
				Missing: need.Missing(), LookedFor: LookedFor{Owner: looked.Owner(), Rationale: looked.Rationale()}, need: need})
		}
	}
	for i := range exp.Items {
		it := &exp.Items[i]
		if ignored(it) {
			continue
		}
		r := repoOf(it.repo)
		thread := ThreadIssue
		if it.isPull {
			thread = ThreadPullRequest
		}
		countComments(r, thread, it.Comments, product, isBot, opts.Analyzer)
		countComments(r, thread, it.Reviews, product, isBot, opts.Analyzer)
		if !it.isPull {
			continue
		}
		// As the App judges a pull request: linked to an owned issue when
		// any issue it refers to, by any link form, has an owner; a reason
		// of its own (its description read as a pull request's) or from a
		// linked issue.
		linkedOwned := false
		pullOpts := opts.Rationale
		pullOpts.PullRequest = true
		reason := opts.Analyzer.DetectRationale(it.Title, it.Body, pullOpts).Present()
		for _, l := range analysis.ParseLinks(it.Title, it.Body) {
			repo := it.repo
			if l.Owner != "" {
				repo = l.Owner + "/" + l.Repo
			}
			j, ok := issues[issueKey{strings.ToLower(repo), l.Number}]
			linkedOwned = linkedOwned || (ok && j.owner)
			reason = reason || (ok && j.rationale)
		}
		var c figures.Pulls
		c.Add(strings.EqualFold(it.State, "open"), linkedOwned, reason)
		r.PullRequests.Total++
		r.PullRequests.Open += c.Open
		r.PullRequests.Closed += c.Closed
		r.PullRequests.LinkedToOwnedIssue += c.LinkedToOwnedIssue
		r.PullRequests.WithRationale += c.WithReason
	}

	out := make([]Report, 0, len(byRepo))
	for name, r := range byRepo {
		sort.SliceStable(r.NeedsAttention, func(i, j int) bool {
			return figures.CompareNeeds(r.NeedsAttention[i].need, r.NeedsAttention[j].need) < 0
		})
		if len(r.NeedsAttention) > maxAttention {
			r.NeedsAttention = r.NeedsAttention[:maxAttention]
		}
		r.Warnings = warnings(items[name])
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

func countComments(r *Report, thread string, comments []Comment, product map[string]bool, isBot bots, analyzer *analysis.Analyzer) {
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
		for _, m := range []map[analysis.Role]LevelCounts{r.Comments.ByRole, r.Comments.ByThread[thread]} {
			lc := m[role]
			if a.ProductLevel {
				lc.Product++
			} else {
				lc.Implementation++
			}
			m[role] = lc
		}
		if role == analysis.RoleBot {
			continue // the concern mix is people's, as on the page and the dashboards
		}
		for _, k := range a.Concerns {
			r.Comments.Concerns[k]++
		}
	}
}
