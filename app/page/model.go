package page

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/app/rollup"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Store is what the page reads: nothing it could write.
type Store interface {
	Repositories(ctx context.Context) ([]string, error)
	EachThread(ctx context.Context, repo string, fn func(store.Thread) error) error
	CommentCounts(ctx context.Context, since time.Time) ([]store.CommentCount, error)
	ConcernCounts(ctx context.Context, since time.Time) ([]store.ConcernCount, error)
	Rollups(ctx context.Context, since time.Time) ([]store.Rollup, error)
}

// trendDays is how many days the trend shows.
const trendDays = 30

// repoFigures is one repository's figures, by package figures' definitions.
type repoFigures struct {
	Name        string // owner/name
	Issues      figures.Issues
	Pulls       figures.Pulls
	TimeToOwner string // median, "-" without any
	Comments    figures.Comments
	IssueTalk   figures.Comments // comments on issues
	Review      figures.Comments // discussion on pull requests
	Trend       []store.Rollup   // oldest first
	Needs       []need
	PullNeeds   []pullNeed
}

// need is an open issue in need of an owner or a reason.
type need struct {
	figures.Need
	Title, URL      string
	BotCommentURL   string
	LookedForOwner  string
	LookedForReason string
	MissingInWords  string
	AgeInWords      string
}

// pullNeed is an open pull request linking no owned issue and giving no
// reason.
type pullNeed struct {
	Number     int
	Title, URL string
	Draft      bool
}

// mentions matches @logins and @org/teams in titles: the page shows no
// person's login, even one quoted in a title.
var mentions = regexp.MustCompile(`@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9._-]+)?`)

func withoutLogins(s string) string { return mentions.ReplaceAllString(s, "@…") }

// overview computes the figures of every repository in visible.
func overview(ctx context.Context, st Store, visible func(string) bool, now time.Time, window time.Duration) ([]repoFigures, error) {
	repos, err := st.Repositories(ctx)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, r := range repos {
		if visible(r) {
			names = append(names, r)
		}
	}
	return build(ctx, st, names, now, window)
}

// build computes the figures of the named repositories.
func build(ctx context.Context, st Store, names []string, now time.Time, window time.Duration) ([]repoFigures, error) {
	since := now.Add(-window)
	comments, err := st.CommentCounts(ctx, since)
	if err != nil {
		return nil, err
	}
	concerns, err := st.ConcernCounts(ctx, since)
	if err != nil {
		return nil, err
	}
	rollups, err := st.Rollups(ctx, rollup.Day(now).AddDate(0, 0, -(trendDays-1)))
	if err != nil {
		return nil, err
	}
	out := make([]repoFigures, 0, len(names))
	for _, name := range names {
		f := repoFigures{Name: name, Comments: figures.NewComments(), IssueTalk: figures.NewComments(), Review: figures.NewComments()}
		var delays []time.Duration
		// The repository is read one thread at a time, and of the issues
		// in need only the most in need are kept: a page view takes little
		// memory however large the repository.
		var needs []store.Thread
		err := st.EachThread(ctx, name, func(t store.Thread) error {
			open := t.State == store.StateOpen
			switch t.Kind {
			case store.ThreadIssue:
				f.Issues.Add(open, t.Owner != "", t.HasRationale())
				if d, ok := t.TimeToOwner(); ok && !t.FirstOwned.Before(since) {
					delays = append(delays, d)
				}
				if open && (t.Owner == "" || !t.HasRationale()) {
					if needs = append(needs, t); len(needs) >= 4*figures.MaxNeeds {
						needs = mostInNeed(needs)
					}
				}
			case store.ThreadPullRequest:
				if t.State == store.StateIgnored {
					return nil
				}
				f.Pulls.Add(open, t.LinkedIssue == "owned", t.HasRationale())
				if open && t.LinkedIssue != "owned" && !t.HasRationale() && len(f.PullNeeds) < figures.MaxNeeds {
					f.PullNeeds = append(f.PullNeeds, pullNeed{Number: t.Number, Title: withoutLogins(t.Title), URL: t.URL, Draft: t.Draft})
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		for _, t := range mostInNeed(needs) {
			f.Needs = append(f.Needs, newNeed(t, now))
		}
		f.TimeToOwner = median(delays)
		for _, c := range comments {
			if c.Repo != name {
				continue
			}
			role, product := analysis.Role(c.AuthorRole), c.Level == "product"
			f.Comments.AddComment(role, product, c.Count)
			if c.Thread == store.ThreadPullRequest {
				f.Review.AddComment(role, product, c.Count)
			} else {
				f.IssueTalk.AddComment(role, product, c.Count)
			}
		}
		for _, c := range concerns {
			if c.Repo == name && c.AuthorRole != string(analysis.RoleBot) {
				f.Comments.Concerns[analysis.Concern(c.Concern)] += c.Count
			}
		}
		for _, r := range rollups {
			if r.Repo == name {
				f.Trend = append(f.Trend, r)
			}
		}
		out = append(out, f)
	}
	return out, nil
}

// mostInNeed sorts open issues in need, most in need first, and keeps the
// first figures.MaxNeeds.
func mostInNeed(ts []store.Thread) []store.Thread {
	slices.SortFunc(ts, func(a, b store.Thread) int { return figures.CompareNeeds(needOf(a), needOf(b)) })
	return ts[:min(len(ts), figures.MaxNeeds)]
}

func needOf(t store.Thread) figures.Need {
	return figures.Need{Number: t.Number, MissingOwner: t.Owner == "", MissingRationale: !t.HasRationale(), CreatedAt: t.CreatedAt}
}

func newNeed(t store.Thread, now time.Time) need {
	n := need{
		Need:  needOf(t),
		Title: withoutLogins(t.Title), URL: t.URL,
	}
	if t.BotCommentID != 0 && t.URL != "" {
		n.BotCommentURL = fmt.Sprintf("%s#issuecomment-%d", t.URL, t.BotCommentID)
	}
	var looked figures.LookedIn
	if t.LookedIn != "" {
		_ = json.Unmarshal([]byte(t.LookedIn), &looked) // unreadable: the defaults
	}
	n.LookedForOwner = figures.Words(looked.Owner())
	n.LookedForReason = figures.Words(looked.Rationale())
	switch {
	case n.MissingOwner && n.MissingRationale:
		n.MissingInWords = "an owner and a reason"
	case n.MissingOwner:
		n.MissingInWords = "an owner"
	default:
		n.MissingInWords = "a reason"
	}
	n.AgeInWords = duration(now.Sub(t.CreatedAt))
	return n
}

func median(ds []time.Duration) string {
	if len(ds) == 0 {
		return "-"
	}
	slices.SortFunc(ds, cmp.Compare)
	m := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		m = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	return duration(m)
}

// duration says a span the way a person would: minutes, hours or days.
func duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return "< 1 min"
	case d < time.Hour:
		return fmt.Sprintf("%d min", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%.0f h", d.Hours())
	}
	return fmt.Sprintf("%.0f days", d.Hours()/24)
}

// total adds up the figures of several repositories, for the org's row.
func total(rs []repoFigures) repoFigures {
	t := repoFigures{Name: "all repositories", Comments: figures.NewComments(), TimeToOwner: "-"}
	for _, r := range rs {
		t.Issues.Open += r.Issues.Open
		t.Issues.WithOwner += r.Issues.WithOwner
		t.Issues.WithRationale += r.Issues.WithRationale
		t.Issues.WithBoth += r.Issues.WithBoth
		t.Issues.Closed += r.Issues.Closed
		t.Pulls.Open += r.Pulls.Open
		t.Pulls.LinkedToOwnedIssue += r.Pulls.LinkedToOwnedIssue
		t.Pulls.WithReason += r.Pulls.WithReason
		t.Pulls.Closed += r.Pulls.Closed
		for role, l := range r.Comments.ByRole {
			t.Comments.AddComment(role, true, l.Product)
			t.Comments.AddComment(role, false, l.Implementation)
		}
		for k, n := range r.Comments.Concerns {
			t.Comments.Concerns[k] += n
		}
	}
	return t
}
