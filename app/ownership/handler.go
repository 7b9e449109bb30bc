// Package ownership handles the events about issues and their comments: it
// keeps each issue's owner and rationale in the store, keeps the bot's one
// comment up to date, and analyses each comment into the counts that
// dashboards divide. It also handles installations and config pushes.
package ownership

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/publish"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Handler handles issues, issue_comment, installation,
// installation_repositories and push events.
type Handler struct {
	analyzer *analysis.Analyzer
	store    store.Store
	clients  *ghclient.Clients
	configs  *config.Loader
	metrics  *metrics.Metrics
	log      *slog.Logger
	now      func() time.Time
	docsURL  string

	publisher            *publish.Publisher
	teams                teamCache
	issueChanged         func(ctx context.Context, installationID int64, repo string, number int) error
	pullRequestDiscussed func(ctx context.Context, installationID int64, fullName string, number int, commentID int64) error
}

// Options configures a Handler.
type Options struct {
	Store   store.Store
	Clients *ghclient.Clients
	Configs *config.Loader
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Now     func() time.Time // time.Now when nil
	// Analyzer classifies comments; required for handling them.
	Analyzer *analysis.Analyzer
	DocsURL  string // config.DocsURL when empty
	// PullRequestDiscussed, when set, is called after a conversation comment
	// on a pull request was recorded or removed, so the pull request's own
	// bot comment can update its summary. The comment's analysis is in the
	// store under KindIssueComment and commentID, unless it was removed.
	// IssueChanged, when set, is called after an issue gained or lost its
	// owner or rationale, so pull requests that link it can follow.
	IssueChanged         func(ctx context.Context, installationID int64, repo string, number int) error
	PullRequestDiscussed func(ctx context.Context, installationID int64, fullName string, number int, commentID int64) error
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DocsURL == "" {
		opts.DocsURL = config.DocsURL
	}
	return &Handler{
		store: opts.Store, clients: opts.Clients, configs: opts.Configs, metrics: opts.Metrics,
		log: opts.Log, now: opts.Now, docsURL: opts.DocsURL, analyzer: opts.Analyzer,
		publisher:            publish.New(opts.Store, opts.Clients, opts.Metrics),
		pullRequestDiscussed: opts.PullRequestDiscussed,
		issueChanged:         opts.IssueChanged,
		teams:                teamCache{ttl: 10 * time.Minute, entries: map[string]teamEntry{}},
	}
}

// Events implements dispatch.Handler.
func (h *Handler) Events() []string {
	return []string{"installation", "installation_repositories", "issue_comment", "issues", "push"}
}

// Permissions implements dispatch.Handler: issues to read them and write the
// comment; contents to read .github/ownership.yml (and receive pushes);
// members to resolve product teams; metadata, which every App has.
func (h *Handler) Permissions() map[string]string {
	return map[string]string{"issues": "write", "contents": "read", "members": "read", "metadata": "read"}
}

var usedActions = map[string][]string{
	"installation":              {"created", "deleted", "suspend", "unsuspend"},
	"installation_repositories": {"added", "removed"},
	"issues":                    {"opened", "edited", "assigned", "unassigned", "labeled", "unlabeled", "closed", "reopened", "deleted", "transferred"},
	"issue_comment":             {"created", "edited", "deleted"},
}

// Wants implements dispatch.Handler.
func (h *Handler) Wants(event string, env dispatch.Envelope) bool {
	if event == "push" {
		return pushTouchesConfig(env)
	}
	for _, a := range usedActions[event] {
		if a == env.Action {
			return true
		}
	}
	return false
}

// pushTouchesConfig reports whether a push to the default branch changed a
// configuration file or an issue or pull request template.
func pushTouchesConfig(env dispatch.Envelope) bool {
	if env.Repository.DefaultBranch == "" || env.Ref != "refs/heads/"+env.Repository.DefaultBranch {
		return false
	}
	for _, c := range env.Commits {
		for _, files := range [][]string{c.Added, c.Modified, c.Removed} {
			for _, f := range files {
				if config.Watches(f) {
					return true
				}
			}
		}
	}
	return false
}

// Handle implements dispatch.Handler.
func (h *Handler) Handle(ctx context.Context, d store.Delivery) error {
	ev, err := github.ParseWebHook(d.Event, d.Payload)
	if err != nil {
		return permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	switch ev := ev.(type) {
	case *github.InstallationEvent:
		return h.installation(ctx, ev)
	case *github.InstallationRepositoriesEvent:
		return h.installationRepositories(ctx, ev)
	case *github.PushEvent:
		owner, repo, _ := strings.Cut(ev.GetRepo().GetFullName(), "/")
		h.configs.Invalidate(d.InstallationID, owner, repo)
		return nil
	}
	if inst, ok, err := h.store.Installation(ctx, d.InstallationID); err != nil {
		return err
	} else if ok && inst.Suspended {
		return nil // a suspended App does nothing in the org
	}
	switch ev := ev.(type) {
	case *github.IssuesEvent:
		return h.issue(ctx, d, ev)
	case *github.IssueCommentEvent:
		return h.comment(ctx, d, ev)
	}
	return nil
}

func (h *Handler) installation(ctx context.Context, ev *github.InstallationEvent) error {
	in := ev.GetInstallation()
	rec := store.Installation{ID: in.GetID(), Account: in.GetAccount().GetLogin()}
	switch ev.GetAction() {
	case "deleted":
		// The org removed the App: forget what it stored about them.
		h.clients.Forget(rec.ID)
		h.configs.Forget(rec.ID)
		return h.store.DeleteInstallation(ctx, rec.ID)
	case "suspend":
		rec.Suspended = true
	}
	return h.store.PutInstallation(ctx, rec)
}

func (h *Handler) installationRepositories(ctx context.Context, ev *github.InstallationRepositoriesEvent) error {
	if ev.GetAction() != "removed" {
		return nil
	}
	for _, r := range ev.RepositoriesRemoved {
		if err := h.store.DeleteRepository(ctx, strings.ToLower(r.GetFullName())); err != nil {
			return err
		}
	}
	return nil
}

// loadConfig reads a repository's configuration.
func (h *Handler) loadConfig(ctx context.Context, installationID int64, fullName string) (config.Loaded, error) {
	owner, repo, _ := strings.Cut(fullName, "/")
	cfg, err := h.configs.Load(ctx, installationID, owner, repo)
	if err != nil {
		return cfg, fmt.Errorf("read configuration of %s: %w", fullName, err)
	}
	return cfg, nil
}

// permanentError marks an error that no retry can fix.
type permanentError struct{ error }

func (e permanentError) Unwrap() error { return e.error }

func permanent(err error) error { return permanentError{err} }

// Classify tells the worker pool whether an error is permanent and, for
// rate limits, when to retry.
func Classify(err error) (bool, time.Time) {
	var p permanentError
	if errors.As(err, &p) || ghclient.IsPermanent(err) {
		return true, time.Time{}
	}
	return false, ghclient.RetryAt(err, time.Now())
}

// teamCache remembers team memberships for a while, so a busy thread does
// not ask GitHub about the same person again and again.
type teamCache struct {
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]teamEntry
}

type teamEntry struct {
	member  bool
	expires time.Time
}
