// Package installs handles the events about where the App is installed:
// installation (created, deleted, suspended, unsuspended) and
// installation_repositories (a repository removed from the App). Pushes
// that change a configuration file are package configcheck's.
package installs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Store is what the handler records and forgets.
type Store interface {
	PutInstallation(ctx context.Context, in store.Installation) error
	DeleteInstallation(ctx context.Context, id int64) error
	DeleteRepository(ctx context.Context, repo string) error
}

// Clients are the GitHub clients, cached per installation.
type Clients interface{ Forget(installationID int64) }

// Configs are the repository configurations, cached per installation.
type Configs interface {
	Forget(installationID int64)
}

// Options configures a Handler.
type Options struct {
	Store   Store
	Clients Clients
	Configs Configs
	// Backfill starts reading a repository's history (nil: never).
	Backfill func(ctx context.Context, installationID int64, fullName string) error
	// ListRepos lists the repositories an installation reaches, when an
	// installation event does not carry them.
	ListRepos func(ctx context.Context, installationID int64) ([]string, error)
	// Repos lists the repositories the store holds for an installation;
	// Forget drops a repository's metric series.
	Repos  func(ctx context.Context, installationID int64) ([]string, error)
	Forget func(repo string)
}

// Handler handles installation and installation_repositories events.
type Handler struct{ opts Options }

// New returns a Handler.
func New(opts Options) *Handler { return &Handler{opts} }

// Events implements dispatch.Handler.
func (h *Handler) Events() []string {
	return []string{"installation", "installation_repositories"}
}

// Permissions implements dispatch.Handler: metadata, which every App has.
func (h *Handler) Permissions() map[string]string {
	return map[string]string{"metadata": "read"}
}

var usedActions = map[string][]string{
	"installation":              {"created", "deleted", "suspend", "unsuspend"},
	"installation_repositories": {"added", "removed"},
}

// Wants implements dispatch.Handler.
func (h *Handler) Wants(event string, env dispatch.Envelope) bool {
	return slices.Contains(usedActions[event], env.Action)
}

// Handle implements dispatch.Handler. A suspended installation's events
// are handled too: they are how it is unsuspended.
func (h *Handler) Handle(ctx context.Context, d store.Delivery) error {
	ev, err := github.ParseWebHook(d.Event, d.Payload)
	if err != nil {
		return dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	switch ev := ev.(type) {
	case *github.InstallationEvent:
		return h.installation(ctx, ev)
	case *github.InstallationRepositoriesEvent:
		return h.repositories(ctx, ev)
	}
	return nil
}

func (h *Handler) installation(ctx context.Context, ev *github.InstallationEvent) error {
	in := ev.GetInstallation()
	rec := store.Installation{ID: in.GetID(), Account: in.GetAccount().GetLogin()}
	switch ev.GetAction() {
	case "deleted":
		// The org removed the App: forget what it stored about them, down
		// to this delivery and the metric series of their repositories.
		h.opts.Clients.Forget(rec.ID)
		h.opts.Configs.Forget(rec.ID)
		if h.opts.Repos != nil && h.opts.Forget != nil {
			repos, err := h.opts.Repos(ctx, rec.ID)
			if err != nil {
				return err
			}
			for _, r := range repos {
				h.opts.Forget(r)
			}
		}
		if err := h.opts.Store.DeleteInstallation(ctx, rec.ID); err != nil {
			return err
		}
		return dispatch.ErrForget
	case "suspend":
		rec.Suspended = true
	}
	if err := h.opts.Store.PutInstallation(ctx, rec); err != nil {
		return err
	}
	if ev.GetAction() != "created" || h.opts.Backfill == nil {
		return nil
	}
	var names []string
	for _, r := range ev.Repositories {
		names = append(names, r.GetFullName())
	}
	if len(names) == 0 && h.opts.ListRepos != nil {
		var err error
		if names, err = h.opts.ListRepos(ctx, rec.ID); err != nil {
			return err
		}
	}
	return h.backfill(ctx, rec.ID, names)
}

// backfill starts reading the history of newly reached repositories.
func (h *Handler) backfill(ctx context.Context, installationID int64, names []string) error {
	for _, name := range names {
		if err := h.opts.Backfill(ctx, installationID, name); err != nil {
			return err
		}
	}
	return nil
}

func (h *Handler) repositories(ctx context.Context, ev *github.InstallationRepositoriesEvent) error {
	if ev.GetAction() == "added" {
		if h.opts.Backfill == nil {
			return nil
		}
		var names []string
		for _, r := range ev.RepositoriesAdded {
			names = append(names, r.GetFullName())
		}
		return h.backfill(ctx, ev.GetInstallation().GetID(), names)
	}
	for _, r := range ev.RepositoriesRemoved {
		repo := strings.ToLower(r.GetFullName())
		if err := h.opts.Store.DeleteRepository(ctx, repo); err != nil {
			return err
		}
		if h.opts.Forget != nil {
			h.opts.Forget(repo)
		}
	}
	return nil
}
