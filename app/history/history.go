// Package history is what the App reads from GitHub itself rather than from
// webhooks: the history of a repository when the App is installed there (a
// backfill), the webhook deliveries GitHub failed to make (asked for again),
// and a periodic sweep that repairs what missed events left out of date. It
// all runs as queued work on the workers, or in a background loop, never on
// the webhook path, and stays inside GitHub's rate limits by pausing.
package history

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// Internal events, queued by the App for itself.
const (
	EventBackfill = "ownershipbot.backfill" // read the next page of a repository's history
	EventSweep    = "ownershipbot.sweep"    // compare what changed in a repository with the store
	EventRepair   = "ownershipbot.repair"   // bring one thread in line with GitHub
	EventOptIn    = "ownershipbot.opt_in"   // read a repository a changed file may have turned on
)

// Phases beyond the store's backfill phases: what the sweep reads.
const (
	phaseOpenIssues    = store.PhaseOpenIssues
	phaseClosedIssues  = store.PhaseClosedIssues
	phaseOpenPulls     = store.PhaseOpenPulls
	phaseClosedPulls   = store.PhaseClosedPulls
	phaseChangedIssues = "issues_changed"
	phaseChangedPulls  = "pulls_changed"
)

// Store is what history keeps and reads.
type Store interface {
	store.History
	Enqueue(ctx context.Context, d store.Delivery) (bool, error)
	Delivery(ctx context.Context, id string) (store.Delivery, bool, error)
	Thread(ctx context.Context, repo string, number int) (store.Thread, bool, error)
	DeleteThread(ctx context.Context, repo string, number int) error
	// Repositories lists the repositories with stored threads, sorted.
	Repositories(ctx context.Context) ([]string, error)
	Installation(ctx context.Context, id int64) (store.Installation, bool, error)
}

// Importer stores, compares and repairs threads of one kind from snapshots.
type Importer interface {
	Import(ctx context.Context, s *threads.Snapshot) error
	Drifted(ctx context.Context, s *threads.Snapshot) (bool, error)
	Repair(ctx context.Context, s *threads.Snapshot) error
}

// Options configures History. Zero durations take the defaults in brackets.
type Options struct {
	Store   Store
	Clients *ghclient.Clients
	Issues  Importer
	Pulls   Importer
	// Config reads a repository's configuration (backfill.days).
	Config  func(ctx context.Context, installationID int64, fullName string) (config.Loaded, error)
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Now     func() time.Time

	// SweepEvery is how often each repository is swept at most [10m]; less
	// often when the sweeps' share of GitHub's GraphQL limit does not cover
	// every repository that often.
	SweepEvery time.Duration
	// SweepShare is the part of each GraphQL rate-limit window of an
	// installation that sweeps may spend, the top of it: what backfills and
	// repairs spent first counts against it [0.2].
	SweepShare     float64
	RedeliverEvery time.Duration // how often failed deliveries are looked for [5m]
	// RedeliverLookback is how far back the delivery log is read [3 days,
	// as far as GitHub redelivers].
	RedeliverLookback time.Duration
	MaxRedeliveries   int    // requests for redelivery per run [50]
	Wake              func() // tells the workers that work was queued
}

// History reads and repairs the App's view of GitHub.
type History struct {
	opts Options

	mu     sync.Mutex
	budget map[int64]*budget // per installation
}

// New returns a History.
func New(opts Options) *History {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.SweepEvery <= 0 {
		opts.SweepEvery = 10 * time.Minute
	}
	if opts.RedeliverEvery <= 0 {
		opts.RedeliverEvery = 5 * time.Minute
	}
	if opts.RedeliverLookback <= 0 {
		opts.RedeliverLookback = 72 * time.Hour
	}
	if opts.MaxRedeliveries <= 0 {
		opts.MaxRedeliveries = 50
	}
	if opts.SweepShare <= 0 || opts.SweepShare > 1 {
		opts.SweepShare = DefaultSweepShare
	}
	return &History{opts: opts, budget: map[int64]*budget{}}
}

// tick is how often the run loop looks for work.
func (h *History) tick() time.Duration { return min(h.opts.SweepEvery, h.opts.RedeliverEvery) / 2 }

// fits reports when a query of cost points may be sent for an installation:
// now, or when GitHub's GraphQL limit resets if what is left (as GitHub last
// said) would not cover it.
func (h *History) fits(installationID int64, cost int) time.Time {
	h.mu.Lock()
	defer h.mu.Unlock()
	b, ok := h.budget[installationID]
	if !ok || b.rate.Remaining >= cost || !b.current(h.opts.Now()) {
		return time.Time{}
	}
	return b.rate.ResetAt
}

// Events, Permissions and Wants implement dispatch.Handler: history has no
// webhook events of its own, only internal ones.
func (h *History) Events() []string                     { return nil }
func (h *History) Permissions() map[string]string       { return map[string]string{} }
func (h *History) Wants(string, dispatch.Envelope) bool { return false }
func (h *History) reader(installationID int64) (*reader, error) {
	httpClient, err := h.opts.Clients.HTTP(installationID)
	if err != nil {
		return nil, err
	}
	return &reader{metrics: h.opts.Metrics, client: &ghgraphql.Client{HTTP: httpClient,
		URL: ghgraphql.Endpoint(h.opts.Clients.BaseURL()), Now: h.opts.Now},
		noted:  func(rl ghgraphql.RateLimit) { h.noteRate(installationID, rl) },
		waited: func(until time.Time) { h.waitFor(installationID, until) }}, nil
}

type stepPayload struct {
	Repo   string `json:"repo"`
	Step   int64  `json:"step"`
	Number int    `json:"number,omitempty"`
	Name   string `json:"full_name,omitempty"`
}

// Handle implements dispatch.Handler for the internal events.
func (h *History) Handle(ctx context.Context, d store.Delivery) error {
	var p stepPayload
	if err := json.Unmarshal(d.Payload, &p); err != nil {
		return dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	var err error
	switch d.Event {
	case EventBackfill:
		_, err = h.Step(ctx, p.Repo, p.Step)
		var pause *Pause
		if errors.As(err, &pause) {
			return nil // the next step is queued for when GitHub allows
		}
	case EventSweep:
		err = h.sweep(ctx, p.Repo, p.Step)
		var deferred *SweepDeferred
		if errors.As(err, &deferred) {
			// Forgotten, not retried: it would hold up the installation's
			// backfill behind it. The repository stays the least recently
			// swept, and QueueSweeps queues it first once the budget allows.
			h.opts.Log.Debug("sweep put off", "repository", p.Repo, "until", deferred.Until.UTC().Format(time.RFC3339), "reason", deferred.Reason)
			return dispatch.ErrForget
		}
	case EventRepair:
		err = h.repair(ctx, d.InstallationID, p.Name, p.Number)
	case EventOptIn:
		err = h.optIn(ctx, d.InstallationID, p.Name)
	}
	if errors.Is(err, ErrSuspended) {
		// Nothing is done while the org has the App suspended, and the
		// delivery leaves no trace, so the same work is queued again once
		// it is unsuspended (Resume, QueueSweeps).
		return dispatch.ErrForget
	}
	return err
}

// ErrSuspended is history's work for an installation the org has suspended:
// GitHub gives it no token, and the App does nothing there until the org
// unsuspends it.
var ErrSuspended = errors.New("the org has suspended the App's installation")

// suspended reports whether the org has suspended the installation.
func (h *History) suspended(ctx context.Context, installationID int64) (bool, error) {
	in, ok, err := h.opts.Store.Installation(ctx, installationID)
	return ok && in.Suspended, err
}

// notSuspended is ErrSuspended for an installation the org has suspended.
func (h *History) notSuspended(ctx context.Context, installationID int64) error {
	off, err := h.suspended(ctx, installationID)
	if err == nil && off {
		err = ErrSuspended
	}
	return err
}

// active drops the backfills of suspended installations.
func (h *History) active(ctx context.Context, all []store.Backfill) ([]store.Backfill, error) {
	off := map[int64]bool{}
	var out []store.Backfill
	for _, b := range all {
		s, seen := off[b.InstallationID]
		if !seen {
			var err error
			if s, err = h.suspended(ctx, b.InstallationID); err != nil {
				return nil, err
			}
			off[b.InstallationID] = s
		}
		if !s {
			out = append(out, b)
		}
	}
	return out, nil
}

func backfillKey(installationID int64) string {
	return "history:installation:" + strconv.FormatInt(installationID, 10)
}

func (h *History) enqueue(ctx context.Context, d store.Delivery) error {
	payload := d.Payload
	d.ReceivedAt = h.opts.Now().UTC()
	d.Payload = payload
	if _, err := h.opts.Store.Enqueue(ctx, d); err != nil {
		return err
	}
	if h.opts.Wake != nil {
		h.opts.Wake()
	}
	return nil
}

// queueStep queues the work that moves a backfill on from its step; a step
// queued before is not queued again (the delivery id names it).
func (h *History) queueStep(ctx context.Context, b store.Backfill, at time.Time) error {
	payload, _ := json.Marshal(stepPayload{Repo: b.Repo, Step: b.Step})
	return h.enqueue(ctx, store.Delivery{
		ID: fmt.Sprintf("backfill:%s:%d", b.Repo, b.Step), Event: EventBackfill, InstallationID: b.InstallationID,
		OrderKey: backfillKey(b.InstallationID), Payload: payload, AvailableAt: at,
	})
}

// Start (re)starts the backfill of a repository and queues its first step.
func (h *History) Start(ctx context.Context, installationID int64, fullName string) (store.Backfill, error) {
	// A broken configuration file leaves the defaults, backfill.days too.
	cfg, err := h.opts.Config(ctx, installationID, fullName)
	if err != nil {
		return store.Backfill{}, err
	}
	days := cfg.Backfill.Days
	now := h.opts.Now().UTC()
	prev, _, err := h.opts.Store.Backfill(ctx, strings.ToLower(fullName))
	if err != nil {
		return store.Backfill{}, err
	}
	b, err := h.opts.Store.StartBackfill(ctx, store.Backfill{InstallationID: installationID, Repo: strings.ToLower(fullName),
		FullName: fullName, Since: now.Add(-time.Duration(days) * 24 * time.Hour), StartedAt: now, UpdatedAt: now, SweptAt: prev.SweptAt})
	if err != nil {
		return store.Backfill{}, err
	}
	h.opts.Log.Info("backfill started", "repository", b.Repo, "closed_since", b.Since.Format(time.DateOnly))
	return b, h.queueStep(ctx, b, time.Time{})
}

// OptedIn queues the reading of the history of the repositories a
// configuration file just changed on the default branch may have turned
// on: owner/repo, or for the org's owner/.github every repository of the
// installation, that the store holds no issue or pull request of. Each is
// read, as at install, if its configuration now enables the bot: the
// backfill at install skipped it (enabled: false), so without this a
// repository that opts in later would be counted only from its next events
// on. The work is queued, one repository a delivery, so an org of a
// thousand repositories does not hold the push's delivery.
func (h *History) OptedIn(ctx context.Context, installationID int64, owner, repo string) error {
	names := []string{owner + "/" + repo}
	if strings.EqualFold(repo, ".github") {
		all, err := h.opts.Store.Backfills(ctx, installationID)
		if err != nil {
			return err
		}
		names = names[:0]
		for _, b := range all {
			if o, _ := split(b.FullName); strings.EqualFold(o, owner) {
				names = append(names, b.FullName)
			}
		}
	}
	held, err := h.opts.Store.Repositories(ctx)
	if err != nil {
		return err
	}
	now := h.opts.Now().UTC()
	for _, name := range names {
		if _, found := slices.BinarySearch(held, strings.ToLower(name)); found {
			continue
		}
		payload, _ := json.Marshal(stepPayload{Repo: strings.ToLower(name), Name: name})
		if err := h.enqueue(ctx, store.Delivery{
			ID: fmt.Sprintf("opt-in:%s:%d", strings.ToLower(name), now.UnixNano()), Event: EventOptIn, InstallationID: installationID,
			OrderKey: backfillKey(installationID), Payload: payload,
		}); err != nil {
			return err
		}
	}
	return nil
}

// optIn starts the backfill of a repository whose configuration now
// enables the bot, unless the store holds threads of it by now.
func (h *History) optIn(ctx context.Context, installationID int64, fullName string) error {
	held, err := h.opts.Store.Repositories(ctx)
	if err != nil {
		return err
	}
	if _, found := slices.BinarySearch(held, strings.ToLower(fullName)); found {
		return nil
	}
	cfg, err := h.opts.Config(ctx, installationID, fullName)
	if err != nil || !cfg.Enabled {
		return err
	}
	_, err = h.Start(ctx, installationID, fullName)
	return err
}

// Resume queues the next step of every unfinished backfill, for work lost
// when a step failed for good or the process stopped between two steps.
func (h *History) Resume(ctx context.Context) error {
	all, err := h.opts.Store.Backfills(ctx, 0)
	if err == nil {
		all, err = h.active(ctx, all)
	}
	if err != nil {
		return err
	}
	for _, b := range all {
		if !b.Done() {
			if err := h.queueStep(ctx, b, time.Time{}); err != nil {
				return err
			}
		}
	}
	return nil
}

// Pause is returned by Step when GitHub's rate limit asks reading to wait.
type Pause struct{ Until time.Time }

func (p *Pause) Error() string { return "paused until " + p.Until.UTC().Format(time.RFC3339) }

// Step reads the next page of a backfill that is at step, stores what it
// read and queues the next step; a step that is no longer current does
// nothing. It returns the backfill as it left it.
func (h *History) Step(ctx context.Context, repo string, step int64) (store.Backfill, error) {
	b, found, err := h.opts.Store.Backfill(ctx, repo)
	if err != nil || !found || b.Step != step || b.Done() {
		return b, err
	}
	if err := h.notSuspended(ctx, b.InstallationID); err != nil {
		return b, err
	}
	log := h.opts.Log.With("repository", b.Repo)
	// Never send what GitHub's limit would refuse: wait for its reset.
	if until := h.fits(b.InstallationID, pageCost(b.Phase)+1); !until.IsZero() {
		return h.pause(ctx, b, until, log)
	}
	r, err := h.reader(b.InstallationID)
	if err != nil {
		return b, err
	}
	next := b
	next.Step = b.Step + 1
	next.UpdatedAt = h.opts.Now().UTC()
	err = h.readPage(ctx, r, &next)
	var limited *ghgraphql.LimitedError
	switch {
	case errors.As(err, &limited):
		return h.pause(ctx, b, limited.Until, log)
	case ghgraphql.NotFound(err):
		// The repository is gone or out of the App's reach: nothing to read.
		log.Warn("backfill stopped: GitHub does not show the repository to the App", "err", err)
		next.Phase, next.FinishedAt = store.PhaseDone, next.UpdatedAt
	case err != nil:
		return b, err
	}
	if next.Done() && next.FinishedAt.IsZero() {
		next.FinishedAt = next.UpdatedAt
	}
	if ok, err := h.opts.Store.AdvanceBackfill(ctx, next, b.Step); err != nil || !ok {
		return b, err // another worker moved it on meanwhile
	}
	if next.Done() {
		log.Info("backfill done", "items", next.ItemsDone, "seconds", next.FinishedAt.Sub(next.StartedAt).Seconds())
		return next, nil
	}
	log.Debug("backfill page read", "phase", next.Phase, "items", next.ItemsDone, "of", next.ItemsTotal)
	return next, h.queueStep(ctx, next, time.Time{})
}

// pause moves a backfill to a new step, unchanged, due when GitHub's limit
// allows: a pause is not a failure and costs no retry.
func (h *History) pause(ctx context.Context, b store.Backfill, until time.Time, log *slog.Logger) (store.Backfill, error) {
	next := b
	next.Step, next.UpdatedAt = b.Step+1, h.opts.Now().UTC()
	if ok, err := h.opts.Store.AdvanceBackfill(ctx, next, b.Step); err != nil || !ok {
		return b, err
	}
	h.waitFor(b.InstallationID, until) // no sweep of the installation meanwhile
	h.opts.Metrics.BackfillPauses.Inc()
	log.Info("backfill pauses for GitHub's rate limit", "until", until.UTC().Format(time.RFC3339))
	return next, errors.Join(h.queueStep(ctx, next, until), &Pause{Until: until})
}

// readPage reads the page at b's phase and cursor, imports it, and moves b
// to the next page or phase.
func (h *History) readPage(ctx context.Context, r *reader, b *store.Backfill) error {
	if b.Phase == store.Phases[0] && b.Cursor == "" && b.ItemsTotal == 0 {
		n, err := r.counts(ctx, b.FullName, b.Since)
		if err != nil {
			return err
		}
		b.ItemsTotal = n
	}
	closed := b.Phase == phaseClosedIssues || b.Phase == phaseClosedPulls
	var since any
	if closed {
		since = b.Since.UTC().Format(time.RFC3339)
	}
	page, err := r.pageFitting(ctx, b.FullName, b.Phase, b.Cursor, since, ghgraphql.MaxPage)
	if err != nil {
		return err
	}
	older := false // closed pull requests come newest first: stop at the cut-off
	for i := range page.Nodes {
		t := &page.Nodes[i]
		if closed && t.UpdatedAt.Before(b.Since) {
			older = true
			break
		}
		if closed && t.ClosedAt != nil && t.ClosedAt.Before(b.Since) {
			continue
		}
		if err := r.complete(ctx, t); err != nil {
			return err
		}
		snap, err := h.snapshot(ctx, b.InstallationID, b.FullName, t)
		if err != nil {
			return err
		}
		imp, label := h.opts.Issues, store.ThreadIssue
		if t.IsPullRequest() {
			imp, label = h.opts.Pulls, store.ThreadPullRequest
		}
		if err := imp.Import(ctx, snap); err != nil {
			return fmt.Errorf("importing %s#%d: %w", b.FullName, t.Number, err)
		}
		b.ItemsDone++
		h.opts.Metrics.BackfillItems.WithLabelValues(label).Inc()
	}
	if page.PageInfo.HasNextPage && !older {
		b.Cursor = page.PageInfo.EndCursor
		return nil
	}
	cur := b.Phase
	b.Cursor, b.Phase = "", store.PhaseDone
	if i := slices.Index(store.Phases, cur); i >= 0 && i+1 < len(store.Phases) {
		b.Phase = store.Phases[i+1]
	}
	return nil
}

// Target is a repository whose history the backfill command reads.
type Target struct {
	InstallationID int64
	FullName       string
}

// Targets finds the installation of one repository ("owner/name"), or,
// with an empty repo, every repository of every installation of the App.
func (h *History) Targets(ctx context.Context, repo string) ([]Target, error) {
	client, err := h.opts.Clients.App()
	if err != nil {
		return nil, err
	}
	if repo != "" {
		owner, name := split(repo)
		in, _, err := client.Apps.FindRepositoryInstallation(ctx, owner, name)
		if ghclient.IsNotFound(err) {
			return nil, fmt.Errorf("the App is not installed on %s, or cannot see it", repo)
		}
		if err != nil {
			return nil, fmt.Errorf("finding the App's installation on %s: %w", repo, err)
		}
		return []Target{{InstallationID: in.GetID(), FullName: repo}}, nil
	}
	var out []Target
	opts := &github.ListOptions{PerPage: 100}
	for {
		list, resp, err := client.Apps.ListInstallations(ctx, opts)
		if err != nil {
			return nil, fmt.Errorf("listing the App's installations: %w", err)
		}
		for _, in := range list {
			if in.SuspendedAt != nil {
				continue
			}
			ic, err := h.opts.Clients.Installation(in.GetID())
			if err != nil {
				return nil, err
			}
			ropts := &github.ListOptions{PerPage: 100}
			for {
				repos, rresp, err := ic.Apps.ListRepos(ctx, ropts)
				if err != nil {
					return nil, fmt.Errorf("listing the repositories of installation %d: %w", in.GetID(), err)
				}
				for _, r := range repos.Repositories {
					out = append(out, Target{InstallationID: in.GetID(), FullName: r.GetFullName()})
				}
				if rresp.NextPage == 0 {
					break
				}
				ropts.Page = rresp.NextPage
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Continue returns a repository's unfinished backfill to go on with, or
// starts a new one (again, for a repository read before).
func (h *History) Continue(ctx context.Context, installationID int64, fullName string) (store.Backfill, error) {
	b, found, err := h.opts.Store.Backfill(ctx, strings.ToLower(fullName))
	if err != nil {
		return b, err
	}
	if found && !b.Done() && b.InstallationID == installationID {
		return b, nil
	}
	return h.Start(ctx, installationID, fullName)
}
