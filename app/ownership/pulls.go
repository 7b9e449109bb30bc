package ownership

import (
	"context"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// What the pull request side (package pulls) shares with the issue side, so
// that roles, configuration and issue assessment have one definition.

// Config reads a repository's configuration through the shared cache.
func (h *Handler) Config(ctx context.Context, installationID int64, fullName string) (config.Loaded, error) {
	return h.loadConfig(ctx, installationID, fullName)
}

// Role decides the part a comment's author plays (bot, product, engineer,
// external), as it does for issue comments.
func (h *Handler) Role(ctx context.Context, installationID int64, cfg config.Config, user *github.User, association string) (analysis.Role, error) {
	return h.role(ctx, installationID, cfg, user, association)
}

// TrackIssue assesses an issue the App learns of outside its own events
// (a pull request links it) and stores it, unless the repository's
// configuration ignores it; it reports whether the issue is stored. It never
// writes to GitHub: the issue is nudged at its own next event. An issue the
// store already holds is returned as stored.
func (h *Handler) TrackIssue(ctx context.Context, installationID int64, fullName string, issue *github.Issue) (store.Thread, bool, error) {
	repo := strings.ToLower(fullName)
	if prev, found, err := h.store.Thread(ctx, repo, issue.GetNumber()); err != nil || found {
		return prev, found, err
	}
	cfg, err := h.loadConfig(ctx, installationID, fullName)
	if err != nil {
		return store.Thread{}, false, err
	}
	labels := labelNames(issue.Labels)
	t := h.assess(store.Thread{}, installationID, repo, issue, labels, cfg.Config)
	if !cfg.Enabled || cfg.IgnoresOpener(issue.GetUser().GetLogin(), issue.GetUser().GetType()) || cfg.IgnoresLabels(labels) {
		return t, false, nil
	}
	// The issue's own events may have stored it meanwhile: theirs wins.
	added, err := h.store.AddThread(ctx, t)
	if err != nil || added {
		return t, added, err
	}
	return h.store.Thread(ctx, repo, issue.GetNumber())
}

// Permanent marks an error that no retry can fix, such as a payload that
// does not decode; Classify recognises it.
func Permanent(err error) error { return permanent(err) }
