// Package publish keeps the bot's one comment per issue or pull request
// (see docs/reference.md): created once, edited in place, never rewritten with
// the same text, created again if a person deleted it, and never doubled by
// a crash between GitHub's answer and the store's write.
package publish

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Threads is what the publisher reads and writes: the thread whose comment
// it keeps.
type Threads interface {
	Thread(ctx context.Context, repo string, number int) (store.Thread, bool, error)
	PutThread(ctx context.Context, t store.Thread) error
}

// Publisher writes bot comments and records them on their thread.
type Publisher struct {
	store   Threads
	clients *ghclient.Clients
	metrics *metrics.Metrics
}

// New returns a Publisher.
func New(s Threads, clients *ghclient.Clients, m *metrics.Metrics) *Publisher {
	return &Publisher{store: s, clients: clients, metrics: m}
}

// Write makes the thread's bot comment say text, with at most one write.
// It reports whether it wrote.
func (p *Publisher) Write(ctx context.Context, installationID int64, fullName string, t *store.Thread, text string) (bool, error) {
	hash := botcomment.Hash(text)
	if t.BotCommentID != 0 && t.BotCommentHash == hash {
		p.metrics.BotComments.WithLabelValues("unchanged").Inc()
		return false, nil
	}
	owner, repo, _ := strings.Cut(fullName, "/")
	client, err := p.clients.Installation(installationID)
	if err != nil {
		return false, err
	}
	if t.BotCommentID == 0 && t.BotCommentPending {
		// An earlier attempt may have created the comment and stopped before
		// storing its id: find it rather than post a second one.
		if err := p.findBotComment(ctx, client, owner, repo, t); err != nil {
			return false, err
		}
		if t.BotCommentID != 0 && t.BotCommentHash == hash {
			return false, p.store.PutThread(ctx, *t)
		}
	}
	op := "created"
	if t.BotCommentID != 0 {
		_, _, err := client.Issues.EditComment(ctx, owner, repo, t.BotCommentID, &github.IssueComment{Body: &text})
		if err == nil {
			t.BotCommentHash = hash
			p.metrics.BotComments.WithLabelValues("edited").Inc()
			return true, p.store.PutThread(ctx, *t)
		}
		if !ghclient.IsNotFound(err) {
			return false, err
		}
		op = "recreated" // a person deleted it
		t.BotCommentID, t.BotCommentHash = 0, ""
	}
	t.BotCommentPending = true
	if err := p.store.PutThread(ctx, *t); err != nil {
		return false, err
	}
	c, _, err := client.Issues.CreateComment(ctx, owner, repo, t.Number, &github.IssueComment{Body: &text})
	if isLocked(err) {
		// Maintainers locked the conversation: the bot stays quiet too.
		t.BotCommentPending = false
		return false, p.store.PutThread(ctx, *t)
	}
	if err != nil {
		return false, err
	}
	t.BotCommentID, t.BotCommentHash, t.BotCommentPending = c.GetID(), hash, false
	p.metrics.BotComments.WithLabelValues(op).Inc()
	return true, p.store.PutThread(ctx, *t)
}

// Edit makes the thread's existing bot comment say text, with at most one
// write, and never creates one: a comment a person deleted stays deleted
// (the thread forgets it). It reports whether it wrote.
func (p *Publisher) Edit(ctx context.Context, installationID int64, fullName string, t *store.Thread, text string) (bool, error) {
	hash := botcomment.Hash(text)
	if t.BotCommentID == 0 {
		return false, nil
	}
	if t.BotCommentHash == hash {
		p.metrics.BotComments.WithLabelValues("unchanged").Inc()
		return false, nil
	}
	owner, repo, _ := strings.Cut(fullName, "/")
	client, err := p.clients.Installation(installationID)
	if err != nil {
		return false, err
	}
	_, _, err = client.Issues.EditComment(ctx, owner, repo, t.BotCommentID, &github.IssueComment{Body: &text})
	switch {
	case ghclient.IsNotFound(err):
		t.BotCommentID, t.BotCommentHash = 0, ""
		return false, p.store.PutThread(ctx, *t)
	case err != nil:
		return false, err
	}
	t.BotCommentHash = hash
	p.metrics.BotComments.WithLabelValues("edited").Inc()
	return true, p.store.PutThread(ctx, *t)
}

// Label adds a label to an issue or removes it. GitHub creates a label the
// repository lacks when it is first added; removing one the issue no longer
// has (404) is done already.
func (p *Publisher) Label(ctx context.Context, installationID int64, fullName string, number int, label string, add bool) error {
	owner, repo, _ := strings.Cut(fullName, "/")
	client, err := p.clients.Installation(installationID)
	if err != nil {
		return err
	}
	if add {
		_, _, err = client.Issues.AddLabelsToIssue(ctx, owner, repo, number, []string{label})
		return err
	}
	// go-github puts the name into the path as it is: escape it, so a
	// label with a space or a slash names itself.
	_, err = client.Issues.RemoveLabelForIssue(ctx, owner, repo, number, url.PathEscape(label))
	if ghclient.IsNotFound(err) {
		return nil
	}
	return err
}

// Resolve settles a thread whose bot comment may exist unknown to the
// store (BotCommentPending without an id: an interrupted creation, or a
// thread the store forgot while its comment stayed on GitHub) by looking
// for the marker, and stores what it found. Callers use it before deciding
// whether a comment is wanted, so a forgotten comment is edited, never
// doubled.
func (p *Publisher) Resolve(ctx context.Context, installationID int64, fullName string, t *store.Thread) error {
	if t.BotCommentID != 0 || !t.BotCommentPending {
		return nil
	}
	owner, repo, _ := strings.Cut(fullName, "/")
	client, err := p.clients.Installation(installationID)
	if err != nil {
		return err
	}
	if err := p.findBotComment(ctx, client, owner, repo, t); err != nil {
		return err
	}
	return p.store.PutThread(ctx, *t)
}

// findBotComment looks for the bot's comment among the thread's comments:
// one with the marker, written by this App. Another App's (a staging App on
// the same organization, say) is never adopted, so never edited.
func (p *Publisher) findBotComment(ctx context.Context, client *github.Client, owner, repo string, t *store.Thread) error {
	login, err := p.clients.AppLogin(ctx)
	if err != nil {
		return err
	}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	for {
		comments, resp, err := client.Issues.ListComments(ctx, owner, repo, t.Number, opts)
		if err != nil {
			return err
		}
		for _, c := range comments {
			if IsMarked(c) && strings.EqualFold(c.GetUser().GetLogin(), login) {
				t.BotCommentID, t.BotCommentHash, t.BotCommentPending = c.GetID(), botcomment.Hash(c.GetBody()), false
				return nil
			}
		}
		if resp.NextPage == 0 {
			t.BotCommentPending = false
			return nil
		}
		opts.Page = resp.NextPage
	}
}

// Mine reports whether a comment with the marker (see IsMarked) was written
// by this App rather than by another that runs ownershipbot too.
func (p *Publisher) Mine(ctx context.Context, c *github.IssueComment) (bool, error) {
	login, err := p.clients.AppLogin(ctx)
	if err != nil {
		return false, err
	}
	return IsMarked(c) && strings.EqualFold(c.GetUser().GetLogin(), login), nil
}

// OwnComment keeps the stored id of the bot's comment right when GitHub
// reports a change to it: a person who deletes it gets a new one at the next
// change, and a comment whose creation was interrupted is adopted when its
// webhook arrives. c must be this App's (see Mine).
func (p *Publisher) OwnComment(ctx context.Context, action, repo string, number int, c *github.IssueComment) error {
	t, ok, err := p.store.Thread(ctx, repo, number)
	if err != nil || !ok {
		return err
	}
	switch {
	case action == "deleted" && t.BotCommentID == c.GetID():
		t.BotCommentID, t.BotCommentHash = 0, ""
	case action == "created" && t.BotCommentID == 0 && t.BotCommentPending:
		t.BotCommentID, t.BotCommentHash, t.BotCommentPending = c.GetID(), botcomment.Hash(c.GetBody()), false
	default:
		return nil
	}
	return p.store.PutThread(ctx, t)
}

// isLocked reports whether GitHub refused a comment because the issue's
// conversation is locked.
func isLocked(err error) bool {
	var resp *github.ErrorResponse
	return errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusForbidden &&
		strings.Contains(strings.ToLower(resp.Message), "locked")
}

// IsMarked reports whether a comment is a bot's comment with the marker:
// this App's, or another's that runs ownershipbot too (Mine tells them
// apart).
func IsMarked(c *github.IssueComment) bool {
	return c.GetUser().GetType() == "Bot" && botcomment.HasMarker(c.GetBody())
}
