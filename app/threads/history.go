package threads

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Snapshot is one issue or pull request as GitHub's GraphQL API shows it
// now, with its discussion, in the shapes the handlers already read.
type Snapshot struct {
	InstallationID int64
	FullName       string // the repository, as GitHub spells it
	Issue          *github.Issue
	PullRequest    *github.PullRequest // nil for issues
	// Comments holds every comment, review and review comment read; the
	// App's own comment is not among them (BotComment has it), while another
	// App's comment with the marker is, as any bot's comment.
	Comments []Comment
	// Complete means Comments holds every one there is on GitHub, so one
	// stored but not read was deleted.
	Complete   bool
	BotComment *github.IssueComment
	UpdatedAt  time.Time
}

// Number is the issue's or pull request's number.
func (s *Snapshot) Number() int { return s.Issue.GetNumber() }

// Repo is the repository in lower case, as stored.
func (s *Snapshot) Repo() string { return strings.ToLower(s.FullName) }

// restLogin is an author's login as the REST API and webhooks spell it: a
// bot's GraphQL login lacks the "[bot]" they add.
func restLogin(a *ghgraphql.Actor) string {
	login := a.LoginOf()
	if a.UserType() == "Bot" && !strings.HasSuffix(login, "[bot]") {
		login += "[bot]"
	}
	return login
}

func restUser(a *ghgraphql.Actor) *github.User {
	typ := a.UserType()
	if typ == "" {
		typ = "User" // a deleted account, "ghost"
	}
	return &github.User{Login: ptr(restLogin(a)), Type: ptr(typ)}
}

// SnapshotOf converts a thread read through GraphQL. The caller has read
// on every nested list that GitHub cut short, and says so with complete;
// botLogin is the App's own bot user, whose marked comment is its comment.
func SnapshotOf(installationID int64, fullName string, t *ghgraphql.Thread, complete bool, botLogin string) *Snapshot {
	state := strings.ToLower(t.State)
	if t.IsPullRequest() {
		state = "open"
		if t.PullState != "OPEN" {
			state = "closed"
		}
	}
	var closedAt *github.Timestamp
	if t.ClosedAt != nil {
		closedAt = &github.Timestamp{Time: *t.ClosedAt}
	}
	issue := &github.Issue{
		Number: ptr(t.Number), Title: ptr(t.Title), Body: ptr(t.Body),
		State: ptr(state), HTMLURL: ptr(t.URL), User: restUser(t.Author),
		CreatedAt: &github.Timestamp{Time: t.CreatedAt}, UpdatedAt: &github.Timestamp{Time: t.UpdatedAt},
		ClosedAt: closedAt, Comments: ptr(t.Comments.TotalCount),
	}
	for _, login := range t.AssigneeLogins() {
		issue.Assignees = append(issue.Assignees, &github.User{Login: ptr(login)})
	}
	for _, name := range t.LabelNames() {
		issue.Labels = append(issue.Labels, &github.Label{Name: ptr(name)})
	}
	s := &Snapshot{InstallationID: installationID, FullName: fullName, Issue: issue, Complete: complete, UpdatedAt: t.UpdatedAt}
	if t.IsPullRequest() {
		s.PullRequest = &github.PullRequest{
			Number: issue.Number, Title: issue.Title, Body: issue.Body, State: issue.State, HTMLURL: issue.HTMLURL,
			User: issue.User, Labels: issue.Labels, Assignees: issue.Assignees, Draft: ptr(t.IsDraft),
			Merged: ptr(t.Merged), CreatedAt: issue.CreatedAt, UpdatedAt: issue.UpdatedAt, ClosedAt: closedAt,
			Comments: issue.Comments,
		}
		issue.PullRequestLinks = &github.PullRequestLinks{URL: ptr(t.URL)}
	}
	for _, c := range t.Comments.Nodes {
		ic := &github.IssueComment{ID: ptr(c.DatabaseID), Body: ptr(c.Body), User: restUser(c.Author)}
		if ic.GetUser().GetType() == "Bot" && botcomment.HasMarker(c.Body) && strings.EqualFold(ic.GetUser().GetLogin(), botLogin) {
			s.BotComment = ic
			continue
		}
		s.Comments = append(s.Comments, historyComment(KindIssueComment, c))
	}
	for _, rv := range t.Reviews.Nodes {
		at := rv.CreatedAt
		if rv.SubmittedAt != nil {
			at = *rv.SubmittedAt
		}
		if strings.TrimSpace(rv.Body) != "" {
			s.Comments = append(s.Comments, Comment{Kind: KindReview, ID: rv.DatabaseID, Body: rv.Body,
				Author: historyAuthor(rv.Author, rv.AuthorAssociation), CreatedAt: at})
		}
		for _, c := range rv.Comments.Nodes {
			s.Comments = append(s.Comments, historyComment(KindReviewComment, c))
		}
	}
	return s
}

func historyAuthor(a *ghgraphql.Actor, association string) Author {
	return Author{Login: restLogin(a), IsBot: a.UserType() == "Bot", Association: association}
}

func historyComment(kind string, c ghgraphql.Comment) Comment {
	return Comment{Kind: kind, ID: c.DatabaseID, Body: c.Body, Author: historyAuthor(c.Author, c.AuthorAssociation), CreatedAt: c.CreatedAt}
}

// Discussion is the snapshot's comments as one Discussion, for Record.
func (s *Snapshot) Discussion() *Discussion {
	d := &Discussion{InstallationID: s.InstallationID, Repo: s.FullName, Number: s.Number(),
		Thread: store.ThreadIssue, Comments: s.Comments}
	d.ThreadAuthor, d.ThreadAuthorType = s.Issue.GetUser().GetLogin(), s.Issue.GetUser().GetType()
	d.Labels = LabelNames(s.Issue.Labels)
	if s.PullRequest != nil {
		d.Thread, d.PullRequest = store.ThreadPullRequest, s.PullRequest
	}
	return d
}

// Remember records a backfilled thread's comments that the store does not
// hold yet; stored ones, which their own events wrote, are left alone.
// Nothing is counted in the activity counters: these are not happening now.
func (b *Base) Remember(ctx context.Context, s *Snapshot) ([]Recorded, error) {
	d := s.Discussion()
	d.onlyAdd = true
	return b.Record(ctx, d)
}

// Reconcile makes the stored comments of a thread what GitHub shows: new
// and changed analyses stored, comments no longer on GitHub forgotten (when
// the snapshot is complete). It reports whether anything changed, and
// returns every comment as recorded.
func (b *Base) Reconcile(ctx context.Context, s *Snapshot, dryRun bool) (bool, []Recorded, error) {
	stored, err := b.Store.ThreadComments(ctx, s.Repo(), s.Number())
	if err != nil {
		return false, nil, err
	}
	d := s.Discussion()
	d.judgeOnly = true
	judged, err := b.Record(ctx, d)
	if err != nil {
		return false, nil, err
	}
	changed := false
	seen := map[[2]any]bool{}
	for _, r := range judged {
		seen[[2]any{r.Kind, r.ID}] = true
		i := slices.IndexFunc(stored, func(c store.Comment) bool { return c.Kind == r.Kind && c.ID == r.ID })
		if i >= 0 && sameAnalysis(stored[i], r.Comment) {
			continue
		}
		changed = true
		if !dryRun {
			if err := b.Store.PutComment(ctx, r.Comment); err != nil {
				return false, nil, err
			}
		}
	}
	if s.Complete {
		for _, c := range stored {
			if seen[[2]any{c.Kind, c.ID}] {
				continue
			}
			changed = true
			if !dryRun {
				if _, err := b.Store.DeleteComment(ctx, c.Kind, c.ID); err != nil {
					return false, nil, err
				}
			}
			judged = append(judged, Recorded{Kind: c.Kind, ID: c.ID})
		}
	}
	return changed, judged, nil
}

func sameAnalysis(a, b store.Comment) bool {
	return a.AuthorRole == b.AuthorRole && a.Level == b.Level && slices.Equal(a.Concerns, b.Concerns) &&
		a.CreatedAt.Equal(b.CreatedAt) && a.Thread == b.Thread
}

func ptr[T any](v T) *T { return &v }
