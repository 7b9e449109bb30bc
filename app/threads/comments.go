package threads

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/publish"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Comment kinds, as stored.
const (
	KindIssueComment  = "issue_comment"  // on an issue or a pull request's conversation
	KindReview        = "review"         // a pull request review's own text
	KindReviewComment = "review_comment" // on a pull request's diff
)

// Comment is one comment as the bot judges it, whatever GitHub called it.
type Comment struct {
	Kind      string // KindIssueComment, KindReview or KindReviewComment
	ID        int64  // GitHub's id, unique within Kind
	Body      string
	Author    Author
	CreatedAt time.Time
	// Removed means its analysis is to be forgotten: deleted on GitHub, or
	// a review without text (a bare approval).
	Removed bool
	// OnlyNew leaves a comment already stored as it is: a review thread's
	// payload repeats comments whose own events were handled.
	OnlyNew bool
}

// Discussion is what one delivery says about the comments of one thread:
// issue comments, reviews, review comments and review threads all become
// one. Handlers get it from Discuss and pass it to Record.
type Discussion struct {
	InstallationID   int64
	Repo             string // "owner/name" as GitHub spells it
	Number           int
	Thread           string // store.ThreadIssue or store.ThreadPullRequest
	ThreadAuthor     string
	ThreadAuthorType string // GitHub's user type of ThreadAuthor ("User", "Bot")
	Labels           []string
	// PullRequest is the pull request as GitHub sent it, when the event
	// carries one (reviews and review comments do; issue comments do not).
	PullRequest *github.PullRequest
	Comments    []Comment

	action string
	marked *github.IssueComment // a bot's comment with the marker: the App's own, or another's

	// Neither counts (history is not happening now): onlyAdd never
	// overwrites a stored analysis; judgeOnly judges without storing.
	onlyAdd, judgeOnly bool
}

// Discuss turns a comment event (issue_comment, pull_request_review,
// pull_request_review_comment, pull_request_review_thread) into one
// Discussion. A payload without its thread or repository is a permanent
// error.
func Discuss(installationID int64, event any) (Discussion, error) {
	d := Discussion{InstallationID: installationID, Thread: store.ThreadPullRequest}
	switch ev := event.(type) {
	case *github.IssueCommentEvent:
		c, issue := ev.GetComment(), ev.GetIssue()
		if c == nil || issue == nil || ev.GetRepo().GetFullName() == "" {
			return d, dispatch.Permanent(fmt.Errorf("the issue_comment payload has no comment, issue or repository"))
		}
		d.Repo, d.Number, d.action = ev.GetRepo().GetFullName(), issue.GetNumber(), ev.GetAction()
		d.ThreadAuthor, d.ThreadAuthorType, d.Labels = issue.GetUser().GetLogin(), issue.GetUser().GetType(), LabelNames(issue.Labels)
		if !issue.IsPullRequest() {
			d.Thread = store.ThreadIssue
		}
		if publish.IsMarked(c) {
			d.marked = c
		}
		d.Comments = []Comment{{
			Kind: KindIssueComment, ID: c.GetID(), Body: c.GetBody(), Author: authorOf(c.GetUser(), c.GetAuthorAssociation()),
			CreatedAt: c.GetCreatedAt().Time, Removed: ev.GetAction() == "deleted",
		}}
		return d, nil
	case *github.PullRequestReviewEvent:
		if err := d.pullRequest("pull_request_review", ev.GetPullRequest(), ev.GetRepo()); err != nil {
			return d, err
		}
		if rv := ev.GetReview(); ev.GetAction() != "dismissed" { // a dismissed review still said what it said
			d.Comments = []Comment{{
				Kind: KindReview, ID: rv.GetID(), Body: rv.GetBody(), Author: authorOf(rv.GetUser(), rv.GetAuthorAssociation()),
				CreatedAt: rv.GetSubmittedAt().Time, Removed: strings.TrimSpace(rv.GetBody()) == "",
			}}
		}
		return d, nil
	case *github.PullRequestReviewCommentEvent:
		if err := d.pullRequest("pull_request_review_comment", ev.GetPullRequest(), ev.GetRepo()); err != nil {
			return d, err
		}
		c := reviewComment(ev.GetComment())
		c.Removed = ev.GetAction() == "deleted"
		d.Comments = []Comment{c}
		return d, nil
	case *github.PullRequestReviewThreadEvent:
		// Resolving a thread changes nothing the bot shows; the payload
		// carries the thread's comments, so catch up on any never seen.
		if err := d.pullRequest("pull_request_review_thread", ev.GetPullRequest(), ev.GetRepo()); err != nil {
			return d, err
		}
		for _, rc := range ev.GetThread().Comments {
			c := reviewComment(rc)
			c.OnlyNew = true
			d.Comments = append(d.Comments, c)
		}
		return d, nil
	}
	return d, dispatch.Permanent(fmt.Errorf("%T is not a comment event", event))
}

func (d *Discussion) pullRequest(event string, pr *github.PullRequest, repo *github.Repository) error {
	if pr == nil || repo.GetFullName() == "" {
		return dispatch.Permanent(fmt.Errorf("%s payload has no pull request or repository", event))
	}
	d.PullRequest, d.Repo, d.Number = pr, repo.GetFullName(), pr.GetNumber()
	d.ThreadAuthor, d.ThreadAuthorType, d.Labels = pr.GetUser().GetLogin(), pr.GetUser().GetType(), LabelNames(pr.Labels)
	return nil
}

func reviewComment(c *github.PullRequestComment) Comment {
	return Comment{
		Kind: KindReviewComment, ID: c.GetID(), Body: c.GetBody(),
		Author: authorOf(c.GetUser(), c.GetAuthorAssociation()), CreatedAt: c.GetCreatedAt().Time,
	}
}

func authorOf(u *github.User, association string) Author {
	return Author{Login: u.GetLogin(), IsBot: analysis.IsBot(u.GetLogin(), u.GetType()), Association: association}
}

// Recorded is a comment's analysis as the store holds it after a delivery,
// or, with Stored false, its absence.
type Recorded struct {
	Kind    string
	ID      int64
	Comment store.Comment
	Stored  bool
}

// Record judges and stores each comment of a discussion, once, and counts
// it; it returns what changed. Comments the configuration ignores (their
// author, the thread's labels, a pull request left alone) are not recorded
// and not returned. The App's own comment only keeps its thread's comment
// id right; another App's comment with the marker is a bot's comment like
// any other.
func (b *Base) Record(ctx context.Context, d *Discussion) ([]Recorded, error) {
	repo := strings.ToLower(d.Repo)
	if d.marked != nil {
		mine, err := b.Publisher.Mine(ctx, d.marked)
		if err != nil {
			return nil, err
		}
		if mine {
			return nil, b.Publisher.OwnComment(ctx, d.action, repo, d.Number, d.marked)
		}
		// Another App's: a bot's comment like any other.
	}
	var (
		out []Recorded
		cfg *config.Loaded // read only when a comment needs judging
	)
	for _, c := range d.Comments {
		if c.Removed {
			if _, err := b.Store.DeleteComment(ctx, c.Kind, c.ID); err != nil {
				return nil, err
			}
			out = append(out, Recorded{Kind: c.Kind, ID: c.ID})
			continue
		}
		if c.OnlyNew {
			stored, ok, err := b.Store.Comment(ctx, c.Kind, c.ID)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, Recorded{Kind: c.Kind, ID: c.ID, Comment: stored, Stored: true})
				continue
			}
		}
		if cfg == nil {
			loaded, err := b.Config(ctx, d.InstallationID, d.Repo)
			if err != nil {
				return nil, err
			}
			cfg = &loaded
		}
		if d.ignored(*cfg, c) {
			continue
		}
		role, err := b.Role(ctx, d.InstallationID, cfg.Config, c.Author)
		if err != nil {
			return nil, err
		}
		sc := store.Comment{
			InstallationID: d.InstallationID, Kind: c.Kind, ID: c.ID, Repo: repo, Number: d.Number, Thread: d.Thread,
			AuthorRole: string(role), CreatedAt: c.CreatedAt.UTC(), UpdatedAt: b.Now().UTC(),
		}
		if sc.CreatedAt.IsZero() {
			sc.CreatedAt = sc.UpdatedAt
		}
		if d.onlyAdd || d.judgeOnly {
			b.judge(&sc, c.Body)
			if d.onlyAdd {
				added, err := b.Store.AddComment(ctx, sc)
				if err != nil {
					return nil, err
				}
				if !added {
					stored, ok, err := b.Store.Comment(ctx, sc.Kind, sc.ID)
					if err != nil {
						return nil, err
					}
					if ok {
						sc = stored
					}
				}
			}
			out = append(out, Recorded{Kind: c.Kind, ID: c.ID, Comment: sc, Stored: true})
			continue
		}
		if err := b.analyse(ctx, &sc, c.Body); err != nil {
			return nil, err
		}
		out = append(out, Recorded{Kind: c.Kind, ID: c.ID, Comment: sc, Stored: true})
	}
	return out, nil
}

// ignored reports whether the configuration leaves a comment alone.
func (d *Discussion) ignored(cfg config.Loaded, c Comment) bool {
	if !cfg.Enabled || cfg.IgnoresAuthor(c.Author.Login, c.Author.userType()) || cfg.IgnoresLabels(d.Labels) {
		return true
	}
	// A pull request the bot leaves alone, such as a dependency bump.
	return d.Thread == store.ThreadPullRequest &&
		(cfg.IgnoresPullRequestOpener(d.ThreadAuthor, d.ThreadAuthorType) || cfg.IgnoresPullRequestLabels(d.Labels))
}

// judge fills in a comment's level and concerns from its body.
func (b *Base) judge(c *store.Comment, body string) {
	a := b.Analyzer.AnalyzeComment(body)
	c.Level = "implementation"
	if a.ProductLevel {
		c.Level = "product"
	}
	c.Concerns = c.Concerns[:0]
	for _, concern := range a.Concerns {
		c.Concerns = append(c.Concerns, string(concern))
	}
}

// analyse judges a comment's body, stores the result over any earlier
// analysis of the same comment, and counts it.
func (b *Base) analyse(ctx context.Context, c *store.Comment, body string) error {
	b.judge(c, body)
	if err := b.Store.PutComment(ctx, *c); err != nil {
		return err
	}
	b.Metrics.CommentsAnalyzed.WithLabelValues(c.Repo, c.Thread, c.AuthorRole, c.Level).Inc()
	for _, concern := range c.Concerns {
		b.Metrics.CommentConcerns.WithLabelValues(c.Repo, c.Thread, c.AuthorRole, concern).Inc()
	}
	return nil
}
