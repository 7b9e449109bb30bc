// Package threads is what the issue and pull-request handlers share: the
// repository's configuration, the roles of comment authors, the recording of
// every comment (whatever GitHub called it), the assessment of issues, the
// suspension gate and the decision to publish the bot's one comment. It
// calls no handler: handlers call it.
package threads

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/publish"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Store is what the shared handling reads and writes.
type Store interface {
	publish.Threads
	Installation(ctx context.Context, id int64) (store.Installation, bool, error)
	AddThread(ctx context.Context, t store.Thread) (bool, error)
	DeleteThread(ctx context.Context, repo string, number int) error
	PullRequestsLinking(ctx context.Context, installationID int64, repo string, number int) ([]store.Thread, error)
	Enqueue(ctx context.Context, d store.Delivery) (bool, error)

	PutComment(ctx context.Context, c store.Comment) error
	AddComment(ctx context.Context, c store.Comment) (bool, error)
	ThreadComments(ctx context.Context, repo string, number int) ([]store.Comment, error)
	DeleteComment(ctx context.Context, kind string, id int64) (bool, error)
	Comment(ctx context.Context, kind string, id int64) (store.Comment, bool, error)

	ConfigNoticeSent(ctx context.Context, repo, problemHash string) (bool, error)
	MarkConfigNotice(ctx context.Context, repo, problemHash string) error
}

// Options configures a Base.
type Options struct {
	Store    Store
	Clients  *ghclient.Clients
	Configs  *config.Loader
	Metrics  *metrics.Metrics
	Log      *slog.Logger
	Analyzer Analyzer         // required: TextAnalyzer of the process's analysis.Analyzer
	Now      func() time.Time // time.Now when nil
	DocsURL  string           // config.DocsURL when empty
}

// Base is what every thread handler is built on. Its fields are for the
// handlers; its methods are the shared rules.
type Base struct {
	Store     Store
	Clients   *ghclient.Clients
	Metrics   *metrics.Metrics
	Log       *slog.Logger
	Analyzer  Analyzer
	Publisher *publish.Publisher
	Now       func() time.Time
	DocsURL   string

	configs *config.Loader
	teams   teamCache
}

// New returns a Base.
func New(opts Options) *Base {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DocsURL == "" {
		opts.DocsURL = config.DocsURL
	}
	return &Base{
		Store: opts.Store, Clients: opts.Clients, Metrics: opts.Metrics, Log: opts.Log,
		Analyzer: opts.Analyzer, Now: opts.Now, DocsURL: opts.DocsURL,
		Publisher: publish.New(opts.Store, opts.Clients, opts.Metrics),
		configs:   opts.Configs,
		teams:     teamCache{ttl: 10 * time.Minute, entries: map[string]teamEntry{}},
	}
}

// Config reads a repository's configuration through the shared cache.
func (b *Base) Config(ctx context.Context, installationID int64, fullName string) (config.Loaded, error) {
	owner, repo, _ := strings.Cut(fullName, "/")
	cfg, err := b.configs.Load(ctx, installationID, owner, repo)
	if err != nil {
		return cfg, fmt.Errorf("read configuration of %s: %w", fullName, err)
	}
	return cfg, nil
}

// DocsFor is where a comment's "Learn more" points: the configuration's
// nudge.docs_url, else the Base's.
func (b *Base) DocsFor(cfg config.Config) string {
	if cfg.Nudge.DocsURL != "" {
		return cfg.Nudge.DocsURL
	}
	return b.DocsURL
}

// Suspended reports whether the org suspended the App: it then does
// nothing there until unsuspended. It is read once per batch of an issue's
// deliveries.
func (b *Base) Suspended(ctx context.Context, installationID int64) (bool, error) {
	return dispatch.Once(ctx, "suspended:"+strconv.FormatInt(installationID, 10), func() (bool, error) {
		inst, ok, err := b.Store.Installation(ctx, installationID)
		return ok && inst.Suspended, err
	})
}

// MayCarryBotComment marks a thread new to the store but already discussed:
// it may carry a bot comment from before (a transfer, a reinstall, an ignore
// label removed), so the publisher looks for it before creating one.
func MayCarryBotComment(t *store.Thread, found bool, comments int) {
	if !found && comments > 0 {
		t.BotCommentPending = true
	}
}

// Rank orders rationale strengths: none (or unknown) 0, weak 1, strong 2.
func Rank(strength string) int {
	switch strength {
	case "strong":
		return 2
	case "weak":
		return 1
	}
	return 0
}
