package pulls

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// EventHistoryComments is the internal event that counts, in the
// discussion of a pull request the store held already, comments that a
// backfill read and stored: keyed like the pull request's own events, it
// runs in order with them, so neither overwrites the other's state.
const EventHistoryComments = "ownershipbot.history_comments"

// historyComments is the payload of EventHistoryComments.
type historyComments struct {
	FullName string       `json:"full_name"`
	Number   int          `json:"number"`
	Comments []commentRef `json:"comments"`
}

type commentRef struct {
	Kind string `json:"kind"`
	ID   int64  `json:"id"`
}

// Import stores a pull request read from history that the store does not
// hold yet, with its links and discussion, and the comments of one it holds
// that it does not hold yet, which EventHistoryComments then counts in its
// discussion. Nothing is written to GitHub here.
func (h *Handler) Import(ctx context.Context, s *threads.Snapshot) error {
	p, err := h.load(ctx, s.InstallationID, s.FullName, s.Number())
	if err != nil {
		return err
	}
	if p.found {
		recorded, err := h.Remember(ctx, s)
		if err != nil {
			return err
		}
		return h.countLater(ctx, p, s, recorded)
	}
	if err := h.assess(ctx, p, s.PullRequest); err != nil {
		return err
	}
	if s.BotComment != nil {
		p.thread.BotCommentID, p.thread.BotCommentPending = s.BotComment.GetID(), false
	}
	var recorded []threads.Recorded
	if p.thread.State != store.StateIgnored {
		if recorded, err = h.Remember(ctx, s); err != nil {
			return err
		}
		p.tally(recorded)
	}
	// Merged before the App came: not observed in the review histogram.
	p.state.MergeObserved = s.PullRequest.GetMerged()
	if p.thread.State == store.StateIgnored {
		encodeState(&p.thread, state{MergeObserved: p.state.MergeObserved})
	} else {
		encodeState(&p.thread, p.state)
	}
	if added, err := h.Store.AddThread(ctx, p.thread); err != nil || added {
		return err
	}
	// Its own events stored it meanwhile: what was read counts there.
	if p, err = h.load(ctx, s.InstallationID, s.FullName, s.Number()); err != nil {
		return err
	}
	return h.countLater(ctx, p, s, recorded)
}

// countLater queues the counting of the recorded comments that a stored
// pull request's discussion does not count as recorded, in order with the
// pull request's own events. The same comments read again queue it once.
func (h *Handler) countLater(ctx context.Context, p *prContext, s *threads.Snapshot, recorded []threads.Recorded) error {
	if p.thread.State == store.StateIgnored {
		return nil // left alone: its discussion is not counted
	}
	c := historyComments{FullName: s.FullName, Number: s.Number()}
	for _, r := range recorded {
		if !p.state.tallied(r.Kind, r.ID, r.Comment, r.Stored) {
			c.Comments = append(c.Comments, commentRef{Kind: r.Kind, ID: r.ID})
		}
	}
	if len(c.Comments) == 0 {
		return nil
	}
	payload, _ := json.Marshal(c) // plain data: cannot fail
	sum := fnv.New64a()
	sum.Write(payload)
	_, err := h.Store.Enqueue(ctx, store.Delivery{
		ID:    fmt.Sprintf("history-comments:%s#%d@%d:%x", s.Repo(), s.Number(), s.UpdatedAt.UnixNano(), sum.Sum64()),
		Event: EventHistoryComments, InstallationID: s.InstallationID,
		OrderKey: store.ThreadKey(s.Repo(), s.Number()), Payload: payload, ReceivedAt: h.Now().UTC(),
	})
	return err
}

// historyComments counts comments a backfill stored in a pull request's
// discussion, as their own events would have, and keeps its bot comment,
// when it has one, true to it; none is created.
func (h *Handler) historyComments(ctx context.Context, d store.Delivery) error {
	var c historyComments
	if err := json.Unmarshal(d.Payload, &c); err != nil {
		return dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	if off, err := h.Suspended(ctx, d.InstallationID); err != nil || off {
		return err
	}
	p, err := h.load(ctx, d.InstallationID, c.FullName, c.Number)
	if err != nil || !p.found || p.thread.State == store.StateIgnored {
		return err
	}
	for _, ref := range c.Comments {
		stored, ok, err := h.Store.Comment(ctx, ref.Kind, ref.ID)
		if err != nil {
			return err
		}
		p.state.tally(ref.Kind, ref.ID, stored, ok)
	}
	p.hold = true
	return h.finish(ctx, p)
}

// Drifted reports whether the store's view of a pull request differs from
// GitHub's, without changing anything or asking GitHub.
func (h *Handler) Drifted(ctx context.Context, s *threads.Snapshot) (bool, error) {
	p, err := h.load(ctx, s.InstallationID, s.FullName, s.Number())
	if err != nil || !p.found {
		return !p.found, err
	}
	pr := s.PullRequest
	t := p.thread
	wantState := store.ThreadState(pr.GetState())
	if t.State == store.StateIgnored {
		return false, nil // left alone; its own events decide
	}
	if t.State != wantState || t.Title != pr.GetTitle() || t.Draft != pr.GetDraft() {
		return true, nil
	}
	reason, _ := h.PullRationale(pr.GetTitle(), pr.GetBody(), p.cfg.Config)
	if reason != p.state.Reason {
		return true, nil
	}
	parsed := h.Analyzer.ParseLinks(pr.GetTitle(), pr.GetBody())
	if len(parsed) > maxLinks {
		parsed = parsed[:maxLinks]
	}
	if len(parsed) != len(p.state.Links) {
		return true, nil
	}
	for i, l := range parsed {
		repo := t.Repo
		if l.Owner != "" {
			repo = strings.ToLower(l.Owner + "/" + l.Repo)
		}
		if got := p.state.Links[i]; got.Repo != repo || got.Number != l.Number || got.Closing != l.Closing {
			return true, nil
		}
	}
	changed, _, err := h.Reconcile(ctx, s, true)
	return changed, err
}

// Repair brings a pull request and its discussion in line with GitHub's
// view. Its bot comment, when it has one, is edited to match; none is
// created.
func (h *Handler) Repair(ctx context.Context, s *threads.Snapshot) error {
	p, err := h.load(ctx, s.InstallationID, s.FullName, s.Number())
	if err != nil {
		return err
	}
	p.hold = true
	if err := h.assess(ctx, p, s.PullRequest); err != nil {
		return err
	}
	if p.thread.State != store.StateIgnored {
		_, recorded, err := h.Reconcile(ctx, s, false)
		if err != nil {
			return err
		}
		p.tally(recorded)
	}
	return h.finish(ctx, p)
}
