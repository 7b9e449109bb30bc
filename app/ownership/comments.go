package ownership

import (
	"context"
	"errors"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/publish"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// KindIssueComment is the store's kind for issue and PR conversation comments.
const KindIssueComment = "issue_comment"

func (h *Handler) comment(ctx context.Context, d store.Delivery, ev *github.IssueCommentEvent) error {
	c, issue := ev.GetComment(), ev.GetIssue()
	if c == nil || issue == nil || ev.GetRepo().GetFullName() == "" {
		return permanent(errors.New("the issue_comment payload has no comment, issue or repository"))
	}
	fullName := ev.GetRepo().GetFullName()
	repo := strings.ToLower(fullName)
	if publish.IsOwn(c) {
		return h.publisher.OwnComment(ctx, ev.GetAction(), repo, issue.GetNumber(), c)
	}
	if ev.GetAction() == "deleted" {
		if _, err := h.store.DeleteComment(ctx, KindIssueComment, c.GetID()); err != nil {
			return err
		}
		return h.discussed(ctx, d.InstallationID, fullName, issue, c.GetID())
	}
	cfg, err := h.loadConfig(ctx, d.InstallationID, fullName)
	if err != nil {
		return err
	}
	author := c.GetUser().GetLogin()
	labels := labelNames(issue.Labels)
	if !cfg.Enabled || cfg.IgnoresAuthor(author) || cfg.IgnoresLabels(labels) {
		return nil
	}
	if issue.IsPullRequest() && (cfg.IgnoresPullRequestOpener(issue.GetUser().GetLogin(), issue.GetUser().GetType()) || cfg.IgnoresPullRequestLabels(labels)) {
		return nil // a pull request the bot leaves alone, such as a dependency bump
	}
	thread := store.ThreadIssue
	if issue.IsPullRequest() {
		thread = store.ThreadPullRequest
	}
	role, err := h.role(ctx, d.InstallationID, cfg.Config, c.GetUser(), c.GetAuthorAssociation())
	if err != nil {
		return err
	}
	err = h.RecordComment(ctx, store.Comment{
		InstallationID: d.InstallationID,
		Kind:           KindIssueComment,
		ID:             c.GetID(),
		Repo:           repo,
		Number:         issue.GetNumber(),
		Thread:         thread,
		AuthorRole:     string(role),
		CreatedAt:      c.GetCreatedAt().Time.UTC(),
		UpdatedAt:      h.now().UTC(),
	}, c.GetBody())
	if err != nil {
		return err
	}
	return h.discussed(ctx, d.InstallationID, fullName, issue, c.GetID())
}

// discussed tells the pull request side that its conversation changed.
func (h *Handler) discussed(ctx context.Context, installationID int64, fullName string, issue *github.Issue, commentID int64) error {
	if !issue.IsPullRequest() || h.pullRequestDiscussed == nil {
		return nil
	}
	return h.pullRequestDiscussed(ctx, installationID, fullName, issue.GetNumber(), commentID)
}

// RecordComment analyses a comment's body, stores the result over any
// earlier analysis of the same comment, and counts it.
func (h *Handler) RecordComment(ctx context.Context, c store.Comment, body string) error {
	a := h.analyzer.AnalyzeComment(body)
	c.Level = "implementation"
	if a.ProductLevel {
		c.Level = "product"
	}
	c.Concerns = c.Concerns[:0]
	for _, concern := range a.Concerns {
		c.Concerns = append(c.Concerns, string(concern))
	}
	if err := h.store.PutComment(ctx, c); err != nil {
		return err
	}
	h.metrics.CommentsAnalyzed.WithLabelValues(c.Repo, c.Thread, c.AuthorRole, c.Level).Inc()
	for _, concern := range c.Concerns {
		h.metrics.CommentConcerns.WithLabelValues(c.Repo, c.Thread, c.AuthorRole, concern).Inc()
	}
	return nil
}

// role decides the part a comment's author plays, asking GitHub about team
// membership only when the configuration names product teams.
func (h *Handler) role(ctx context.Context, installationID int64, cfg config.Config, user *github.User, association string) (analysis.Role, error) {
	a := analysis.Author{Login: user.GetLogin(), IsBot: analysis.IsBot(user.GetLogin(), user.GetType()), Association: association}
	if !a.IsBot {
		product, err := h.isProduct(ctx, installationID, cfg, a.Login)
		if err != nil {
			return "", err
		}
		a.IsProduct = product
	}
	return analysis.RoleOf(a), nil
}

func (h *Handler) isProduct(ctx context.Context, installationID int64, cfg config.Config, login string) (bool, error) {
	if cfg.IsProductLogin(login) {
		return true, nil
	}
	for _, team := range cfg.ProductTeams() {
		member, err := h.teamMember(ctx, installationID, team[0], team[1], login)
		if err != nil {
			return false, err
		}
		if member {
			return true, nil
		}
	}
	return false, nil
}

func (h *Handler) teamMember(ctx context.Context, installationID int64, org, team, login string) (bool, error) {
	key := strings.ToLower(org + "/" + team + "/" + login)
	now := h.now()
	h.teams.mu.Lock()
	e, ok := h.teams.entries[key]
	h.teams.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.member, nil
	}
	client, err := h.clients.Installation(installationID)
	if err != nil {
		return false, err
	}
	m, _, err := client.Teams.GetTeamMembershipBySlug(ctx, org, team, login)
	member := err == nil && m.GetState() == "active"
	if err != nil && !ghclient.IsNotFound(err) {
		return false, err
	}
	h.teams.mu.Lock()
	h.teams.entries[key] = teamEntry{member: member, expires: now.Add(h.teams.ttl)}
	h.teams.mu.Unlock()
	return member, nil
}
