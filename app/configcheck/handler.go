package configcheck

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Configs are the repository configurations, cached per installation.
type Configs interface {
	Invalidate(installationID int64, owner, repo string)
}

// Options configures a Handler.
type Options struct {
	Clients *ghclient.Clients
	Configs Configs
	Metrics *metrics.Metrics
	Log     *slog.Logger
	// Reread, when set, is told of a configuration file changed on the
	// default branch (owner/repo, or the org's owner/.github) once the
	// cached copy is dropped, so repositories it turns on get their
	// history read (see history.History.OptedIn).
	Reread func(ctx context.Context, installationID int64, owner, repo string) error
}

// Handler handles push events: a push to the default branch that changes
// the configuration or a template drops the cached copy; a push to any
// branch that adds or changes .github/ownership.yml gets a check run on its
// head commit, so a pull request shows the verdict before the merge.
type Handler struct {
	opts Options

	mu         sync.Mutex
	notAllowed map[int64]bool // installations told once that checks: write is missing
}

// New returns a Handler.
func New(opts Options) *Handler { return &Handler{opts: opts, notAllowed: map[int64]bool{}} }

// Events implements dispatch.Handler.
func (h *Handler) Events() []string { return []string{"push"} }

// Permissions implements dispatch.Handler: contents to receive pushes and
// read the file at the pushed commit; checks to report on that commit;
// metadata, which every App has.
func (h *Handler) Permissions() map[string]string {
	return map[string]string{"contents": "read", "checks": "write", "metadata": "read"}
}

// Wants implements dispatch.Handler.
func (h *Handler) Wants(event string, env dispatch.Envelope) bool {
	if event != "push" {
		return false
	}
	var changed [][]string
	for _, c := range env.Commits {
		changed = append(changed, c.Added, c.Modified, c.Removed)
	}
	defaultBranch := env.Repository.DefaultBranch != "" && env.Ref == "refs/heads/"+env.Repository.DefaultBranch
	return defaultBranch && anyFile(changed, config.Watches) || anyFile(changed, isConfig)
}

func isConfig(p string) bool { return p == config.Path }

func anyFile(lists [][]string, f func(string) bool) bool {
	return slices.ContainsFunc(lists, func(files []string) bool { return slices.ContainsFunc(files, f) })
}

// Handle implements dispatch.Handler.
func (h *Handler) Handle(ctx context.Context, d store.Delivery) error {
	ev, err := github.ParseWebHook(d.Event, d.Payload)
	if err != nil {
		return dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	push, ok := ev.(*github.PushEvent)
	if !ok {
		return nil
	}
	owner, repo, _ := strings.Cut(push.GetRepo().GetFullName(), "/")
	if owner == "" || repo == "" {
		return dispatch.Permanent(errors.New("the push payload has no repository"))
	}
	var changed, written [][]string
	for _, c := range push.Commits {
		changed = append(changed, c.Added, c.Modified, c.Removed)
		written = append(written, c.Added, c.Modified)
	}
	if push.GetRef() == "refs/heads/"+push.GetRepo().GetDefaultBranch() && anyFile(changed, config.Watches) {
		h.opts.Configs.Invalidate(d.InstallationID, owner, repo)
		if h.opts.Reread != nil && anyFile(changed, isConfig) {
			if err := h.opts.Reread(ctx, d.InstallationID, owner, repo); err != nil {
				return err
			}
		}
	}
	if push.GetDeleted() || push.GetAfter() == "" || !anyFile(written, isConfig) {
		return nil
	}
	return h.check(ctx, d.InstallationID, owner, repo, push.GetAfter())
}

// check reads the file at the pushed commit and reports on it there.
func (h *Handler) check(ctx context.Context, installationID int64, owner, repo, sha string) error {
	client, err := h.opts.Clients.Installation(installationID)
	if err != nil {
		return err
	}
	data, size, found, err := ghclient.ReadFile(ctx, client, owner, repo, config.Path, sha, config.MaxFileBytes)
	if err != nil || !found {
		return err // a later commit of the push removed it: nothing to check
	}
	var perr error = config.TooLarge(int64(size))
	if data != nil {
		_, perr = config.ParseUpTo(data, maxListed)
	}
	out := Render(perr, strings.EqualFold(repo, ".github"))
	opts := github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: sha, Status: github.String("completed"), Conclusion: github.String(out.Conclusion),
		Output: &github.CheckRunOutput{Title: github.String(out.Title), Summary: github.String(out.Summary)},
	}
	if out.Text != "" {
		opts.Output.Text = github.String(out.Text)
	}
	for _, a := range out.Annotations {
		opts.Output.Annotations = append(opts.Output.Annotations, &github.CheckRunAnnotation{
			Path: github.String(config.Path), StartLine: github.Int(a.Line), EndLine: github.Int(a.Line),
			AnnotationLevel: github.String("failure"), Message: github.String(a.Message),
		})
	}
	_, _, err = client.Checks.CreateCheckRun(ctx, owner, repo, opts)
	switch {
	case notPermitted(err):
		h.opts.Metrics.ConfigChecks.WithLabelValues("not_permitted").Inc()
		h.mu.Lock()
		first := !h.notAllowed[installationID]
		h.notAllowed[installationID] = true
		h.mu.Unlock()
		if first {
			h.opts.Log.Warn("cannot report on configuration files: the installation has not granted checks: write; an org owner can accept the App's updated permissions in the installation's settings",
				"installation", installationID, "repository", owner+"/"+repo)
		}
		return nil
	case err != nil:
		return err
	}
	h.opts.Metrics.ConfigChecks.WithLabelValues(out.Conclusion).Inc()
	return nil
}

// notPermitted reports whether GitHub refused a write because the
// installation lacks the permission: 403 "Resource not accessible by
// integration". Retrying would not help.
func notPermitted(err error) bool {
	var resp *github.ErrorResponse
	return errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusForbidden &&
		strings.Contains(strings.ToLower(resp.Message), "not accessible by integration")
}
