package history

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/ghgraphql"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// Run keeps the background work going until ctx ends: at start and then
// periodically it resumes unfinished backfills, queues the sweeps each
// installation's GraphQL budget allows, and asks GitHub to redeliver failed
// deliveries. With several replicas, one at a time does each (a lock in the
// store).
func (h *History) Run(ctx context.Context) {
	tick := time.NewTicker(h.tick())
	defer tick.Stop()
	var lastRedeliver time.Time
	for {
		h.locked(ctx, "history", func() {
			if err := h.Resume(ctx); err != nil {
				h.opts.Log.Warn("could not resume backfills", "err", err)
			}
			if err := h.QueueSweeps(ctx); err != nil {
				h.opts.Log.Warn("could not queue sweeps", "err", err)
			}
		})
		if h.opts.Now().Sub(lastRedeliver) >= h.opts.RedeliverEvery {
			lastRedeliver = h.opts.Now()
			h.locked(ctx, "redeliver", func() {
				if _, err := h.Redeliver(ctx); err != nil && ctx.Err() == nil {
					h.opts.Log.Warn("could not look for failed deliveries", "err", err)
				}
			})
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

func (h *History) locked(ctx context.Context, name string, fn func()) {
	unlock, ok, err := h.opts.Store.TryLock(ctx, name)
	if err != nil {
		if ctx.Err() == nil {
			h.opts.Log.Warn("could not take a lock", "lock", name, "err", err)
		}
		return
	}
	if !ok {
		return // another replica does it now
	}
	defer unlock()
	fn()
}

// QueueSweeps queues, for each installation, the sweeps its GraphQL budget
// allows until the next tick of the run loop (see pace.go): of its fully
// read repositories not swept within SweepEvery, the least recently swept
// first. Each sweep is named by the time it looks back to, so replicas
// never queue one twice.
func (h *History) QueueSweeps(ctx context.Context) error {
	all, err := h.opts.Store.Backfills(ctx, 0)
	if err == nil {
		all, err = h.active(ctx, all)
	}
	if err != nil {
		return err
	}
	byInstallation := map[int64][]store.Backfill{}
	var installations []int64
	for _, b := range all {
		if !b.Done() {
			continue
		}
		if _, seen := byInstallation[b.InstallationID]; !seen {
			installations = append(installations, b.InstallationID)
		}
		byInstallation[b.InstallationID] = append(byInstallation[b.InstallationID], b)
	}
	for _, id := range installations {
		if err := h.queueSweepsOf(ctx, id, byInstallation[id]); err != nil {
			return err
		}
	}
	return nil
}

// queueSweepsOf queues the sweeps one installation's budget allows now.
func (h *History) queueSweepsOf(ctx context.Context, installationID int64, repos []store.Backfill) error {
	now := h.opts.Now()
	var due []store.Backfill
	for _, b := range repos {
		if b.SweptAt.IsZero() || now.Sub(b.SweptAt) >= h.opts.SweepEvery {
			due = append(due, b)
		}
	}
	slices.SortFunc(due, func(a, b store.Backfill) int {
		return cmp.Or(a.SweptAt.Compare(b.SweptAt), cmp.Compare(a.Repo, b.Repo))
	})
	h.mu.Lock()
	bud := h.budgetOf(installationID)
	credit, cost := bud.refill(now, h.tick(), h.opts.SweepShare), bud.cost()
	h.logPace(installationID, bud, len(repos))
	h.mu.Unlock()
	spent := 0.0
	for _, b := range due {
		if credit-spent < cost {
			break
		}
		pending, err := h.queueSweep(ctx, b)
		if err != nil {
			return err
		}
		if pending {
			spent += cost
		}
	}
	h.mu.Lock()
	bud.credit = max(0, bud.credit-spent) // infinite while unlimited
	h.mu.Unlock()
	return nil
}

// logPace says when an installation's repositories are swept less often
// than SweepEvery for its GraphQL budget, and when that changes much; h.mu
// is held.
func (h *History) logPace(installationID int64, b *budget, repos int) {
	every := b.pace(repos, h.opts.SweepShare, h.opts.SweepEvery)
	if b.every == 0 {
		b.every = h.opts.SweepEvery
	}
	if ratio := float64(every) / float64(b.every); ratio > 0.8 && ratio < 1.25 {
		return
	}
	b.every = every
	log := h.opts.Log.With("installation", installationID, "repositories", repos,
		"graphql_limit", int(b.limit()), "sweep_share", h.opts.SweepShare, "points_a_sweep", b.cost(),
		"each_repository_every", every.Round(time.Second).String())
	switch {
	case every >= 24*time.Hour:
		log.Warn("sweeps paced to the share of GitHub's GraphQL limit cannot compare each repository daily; the least recently swept go first")
	case every > h.opts.SweepEvery:
		log.Info("sweeps paced to the share of GitHub's GraphQL limit")
	default:
		log.Info("sweeps back to their usual pace")
	}
}

// queueSweep queues a sweep of a repository and reports whether one is
// waiting to run now (false: the same sweep ran or failed before).
func (h *History) queueSweep(ctx context.Context, b store.Backfill) (bool, error) {
	since := b.SweptAt
	if since.IsZero() {
		since = b.StartedAt
	}
	id := fmt.Sprintf("sweep:%s:%d", b.Repo, since.UnixNano())
	payload, _ := json.Marshal(stepPayload{Repo: b.Repo, Step: since.UnixNano()})
	d := store.Delivery{ID: id, Event: EventSweep, InstallationID: b.InstallationID,
		OrderKey: backfillKey(b.InstallationID), Payload: payload, ReceivedAt: h.opts.Now().UTC()}
	added, err := h.opts.Store.Enqueue(ctx, d)
	if err != nil || added {
		if added && h.opts.Wake != nil {
			h.opts.Wake()
		}
		return added, err
	}
	held, found, err := h.opts.Store.Delivery(ctx, id)
	return found && (held.Status == store.DeliveryPending || held.Status == store.DeliveryLeased), err
}

// Sweep compares a repository now, whatever the time of its last sweep,
// within the sweeps' share of GitHub's limit: a *SweepDeferred when not.
func (h *History) Sweep(ctx context.Context, repo string) error {
	b, found, err := h.opts.Store.Backfill(ctx, repo)
	if err != nil || !found {
		return err
	}
	since := b.SweptAt
	if since.IsZero() {
		since = b.StartedAt
	}
	return h.sweep(ctx, repo, since.UnixNano())
}

// sweep reads what changed in a repository since the time named, compares
// each thread with the store, and queues a repair of each that differs, in
// order with the thread's own events.
func (h *History) sweep(ctx context.Context, repo string, sinceNanos int64) (err error) {
	b, found, err := h.opts.Store.Backfill(ctx, repo)
	if err != nil || !found || !b.Done() {
		return err
	}
	if err := h.notSuspended(ctx, b.InstallationID); err != nil {
		// Not marked swept: once unsuspended, the sweep looks back over
		// the suspension too, whose events GitHub never sent.
		return err
	}
	r, err := h.reader(b.InstallationID)
	if err != nil {
		return err
	}
	defer func() {
		h.opts.Metrics.SweepPoints.Add(float64(r.spent))
		var deferred *SweepDeferred
		if errors.As(err, &deferred) {
			h.opts.Metrics.Sweeps.WithLabelValues("deferred").Inc()
		}
	}()
	started := h.opts.Now().UTC()
	// A minute of overlap: GitHub's clock and ours may differ a little.
	since := time.Unix(0, sinceNanos).Add(-time.Minute).UTC()
	for _, phase := range []string{phaseChangedIssues, phaseChangedPulls} {
		cursor := ""
		for {
			// Spend only the sweeps' share, never while the installation
			// waits for GitHub's limit (a backfill paused), and never
			// what GitHub would refuse.
			if err := h.sweepMay(b.InstallationID, pageCost(phase)+1); err != nil {
				return err
			}
			page, err := r.pageFitting(ctx, b.FullName, phase, cursor, since.Format(time.RFC3339), sweepPage)
			var limited *ghgraphql.LimitedError
			if errors.As(err, &limited) {
				return &SweepDeferred{Until: limited.Until, Reason: "GitHub refused a query for its rate limit"}
			}
			if ghgraphql.NotFound(err) {
				// Nothing to compare: marked swept, so that it does
				// not come first in every round.
				return h.opts.Store.MarkSwept(ctx, b.Repo, started)
			}
			if err != nil {
				return err
			}
			older := false
			for i := range page.Nodes {
				t := &page.Nodes[i]
				if t.UpdatedAt.Before(since) {
					older = true
					break
				}
				if cutShort(t) {
					// Reading on costs a point a list, from the share too.
					if err := h.sweepMay(b.InstallationID, 1); err != nil {
						return err
					}
				}
				if err := h.compare(ctx, r, b, t); err != nil {
					return err
				}
			}
			if !page.PageInfo.HasNextPage || older {
				break
			}
			cursor = page.PageInfo.EndCursor
		}
	}
	if err := h.opts.Store.MarkSwept(ctx, b.Repo, started); err != nil {
		return err
	}
	h.mu.Lock()
	h.budgetOf(b.InstallationID).swept(r.spent)
	h.mu.Unlock()
	h.opts.Metrics.Sweeps.WithLabelValues("done").Inc()
	return nil
}

// cutShort reports whether GitHub cut short a list nested in a thread,
// which complete reads on.
func cutShort(t *ghgraphql.Thread) bool {
	if t.Comments.PageInfo.HasNextPage || t.Reviews.PageInfo.HasNextPage {
		return true
	}
	for _, rv := range t.Reviews.Nodes {
		if rv.Comments.PageInfo.HasNextPage {
			return true
		}
	}
	return false
}

func (h *History) compare(ctx context.Context, r *reader, b store.Backfill, t *ghgraphql.Thread) error {
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
	drifted, err := imp.Drifted(ctx, snap)
	if err != nil || !drifted {
		return err
	}
	h.opts.Metrics.DriftRepairs.WithLabelValues(label).Inc()
	h.opts.Log.Info("sweep found a thread out of date; repairing it", "repository", b.Repo, "thread", label)
	payload, _ := json.Marshal(stepPayload{Repo: b.Repo, Name: b.FullName, Number: t.Number})
	return h.enqueue(ctx, store.Delivery{
		ID:    fmt.Sprintf("repair:%s#%d:%d", b.Repo, t.Number, t.UpdatedAt.UnixNano()),
		Event: EventRepair, InstallationID: b.InstallationID,
		OrderKey: store.ThreadKey(b.Repo, t.Number), Payload: payload,
	})
}

// repair reads one thread again and brings the store (and its bot comment,
// if any) in line with it.
func (h *History) repair(ctx context.Context, installationID int64, fullName string, number int) error {
	if err := h.notSuspended(ctx, installationID); err != nil {
		return err
	}
	r, err := h.reader(installationID)
	if err != nil {
		return err
	}
	t, err := r.thread(ctx, fullName, number)
	var limited *ghgraphql.LimitedError
	if errors.As(err, &limited) {
		return retryAt(limited.Until)
	}
	if err != nil {
		return err
	}
	if t == nil {
		return h.opts.Store.DeleteThread(ctx, strings.ToLower(fullName), number)
	}
	snap, err := h.snapshot(ctx, installationID, fullName, t)
	if err != nil {
		return err
	}
	if t.IsPullRequest() {
		return h.opts.Pulls.Repair(ctx, snap)
	}
	return h.opts.Issues.Repair(ctx, snap)
}

// snapshot converts a thread read in full, telling the App's own comment
// from another App's by the App's bot user.
func (h *History) snapshot(ctx context.Context, installationID int64, fullName string, t *ghgraphql.Thread) (*threads.Snapshot, error) {
	login, err := h.opts.Clients.AppLogin(ctx)
	if err != nil {
		return nil, err
	}
	return threads.SnapshotOf(installationID, fullName, t, true, login), nil
}

// retryAt is an error the worker pool reads as a rate limit: try again at.
func retryAt(at time.Time) error {
	secs := max(int(time.Until(at).Seconds()+0.999), 1)
	resp := &http.Response{StatusCode: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {fmt.Sprint(secs)}}, Request: &http.Request{Method: "POST"}}
	return &github.ErrorResponse{Response: resp, Message: "GitHub's GraphQL rate limit"}
}

// Redeliver reads the App's webhook delivery log (newest first, back to
// RedeliverLookback) and asks GitHub to send again each delivery that
// failed in a way a new attempt can fix (no answer, or a 5xx, 408 or 429)
// that the store does not hold and has not been asked for three times:
// at most MaxRedeliveries per run. It returns how many it asked for.
func (h *History) Redeliver(ctx context.Context) (int, error) {
	client, err := h.opts.Clients.App()
	if err != nil {
		return 0, err
	}
	type attempt struct {
		id          int64
		ok, retried bool
		inst        int64
	}
	latest := map[string]*attempt{}
	var order []string
	oldest := h.opts.Now().Add(-h.opts.RedeliverLookback)
	opts := &github.ListCursorOptions{PerPage: 100}
	for pages := 0; pages < 50; pages++ {
		list, resp, err := client.Apps.ListHookDeliveries(ctx, opts)
		if err != nil {
			return 0, err
		}
		done := false
		for _, d := range list {
			if d.GetDeliveredAt().Time.Before(oldest) {
				done = true
				break
			}
			guid := d.GetGUID()
			a := latest[guid]
			if a == nil {
				a = &attempt{id: d.GetID(), inst: d.GetInstallationID()}
				latest[guid] = a
				order = append(order, guid)
			}
			code := d.GetStatusCode()
			if code >= 200 && code < 300 {
				a.ok = true
			} else if code != 0 && code < 500 && code != http.StatusRequestTimeout && code != http.StatusTooManyRequests {
				a.retried = true // refused for a reason a new attempt keeps: left alone
			}
		}
		if done || resp.Cursor == "" {
			break
		}
		opts.Cursor = resp.Cursor
	}
	asked := 0
	for _, guid := range order {
		a := latest[guid]
		if a.ok || a.retried || asked >= h.opts.MaxRedeliveries {
			continue
		}
		if _, held, err := h.opts.Store.Delivery(ctx, guid); err != nil || held {
			if err != nil {
				return asked, err
			}
			continue
		}
		if n, err := h.opts.Store.Redeliveries(ctx, guid); err != nil || n >= 3 {
			if err != nil {
				return asked, err
			}
			continue
		}
		if _, err := h.opts.Store.NoteRedelivery(ctx, guid, a.inst, h.opts.Now()); err != nil {
			return asked, err
		}
		if _, _, err := client.Apps.RedeliverHookDelivery(ctx, a.id); err != nil {
			var accepted *github.AcceptedError
			if !errors.As(err, &accepted) {
				h.opts.Metrics.Redeliveries.WithLabelValues("refused").Inc()
				h.opts.Log.Warn("GitHub refused to redeliver a failed delivery", "delivery", guid, "err", err)
				continue
			}
		}
		asked++
		h.opts.Metrics.Redeliveries.WithLabelValues("requested").Inc()
		h.opts.Log.Info("asked GitHub to redeliver a failed delivery", "delivery", guid)
	}
	return asked, nil
}
