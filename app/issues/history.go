package issues

import (
	"context"
	"fmt"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// Import stores an issue read from history that the store does not hold
// yet, and its comments that it does not hold; what the issue's own events
// stored is left alone. Nothing is written to GitHub: the issue is nudged,
// if at all, at its next event.
func (h *Handler) Import(ctx context.Context, s *threads.Snapshot) error {
	cfg, err := h.Config(ctx, s.InstallationID, s.FullName)
	if err != nil {
		return err
	}
	if threads.IgnoresIssue(cfg, s.Issue) {
		return nil
	}
	if _, found, err := h.Store.Thread(ctx, s.Repo(), s.Number()); err != nil {
		return err
	} else if !found {
		t := h.AssessIssue(store.Thread{}, s.InstallationID, s.Repo(), s.Issue, cfg.Config)
		threads.MetOwned(&t)
		if s.BotComment != nil {
			t.BotCommentID, t.BotCommentPending = s.BotComment.GetID(), false
		}
		if _, err := h.Store.AddThread(ctx, t); err != nil {
			return err
		}
	}
	_, err = h.Remember(ctx, s)
	return err
}

// Drifted reports whether the store's view of an issue differs from GitHub's
// (an event was missed), without changing anything.
func (h *Handler) Drifted(ctx context.Context, s *threads.Snapshot) (bool, error) {
	cfg, err := h.Config(ctx, s.InstallationID, s.FullName)
	if err != nil {
		return false, err
	}
	prev, found, err := h.Store.Thread(ctx, s.Repo(), s.Number())
	if err != nil {
		return false, err
	}
	if threads.IgnoresIssue(cfg, s.Issue) {
		return found, nil // stored, but should not be
	}
	if !found {
		return true, nil
	}
	t := h.AssessIssue(prev, s.InstallationID, s.Repo(), s.Issue, cfg.Config)
	if !prev.SameState(t) {
		return true, nil
	}
	changed, _, err := h.Reconcile(ctx, s, true)
	return changed, err
}

// Repair brings an issue and its comments in line with GitHub's view, as
// the events that were missed would have. Its bot comment, when it has one,
// is edited to match; none is created.
func (h *Handler) Repair(ctx context.Context, s *threads.Snapshot) error {
	cfg, err := h.Config(ctx, s.InstallationID, s.FullName)
	if err != nil {
		return err
	}
	if threads.IgnoresIssue(cfg, s.Issue) {
		return h.Store.DeleteThread(ctx, s.Repo(), s.Number())
	}
	prev, found, err := h.Store.Thread(ctx, s.Repo(), s.Number())
	if err != nil {
		return err
	}
	t := h.AssessIssue(prev, s.InstallationID, s.Repo(), s.Issue, cfg.Config)
	threads.MayCarryBotComment(&t, found, s.Issue.GetComments())
	if !found {
		threads.MetOwned(&t)
	}
	if !found || !prev.SameState(t) {
		if err := h.Store.PutThread(ctx, t); err != nil {
			return err
		}
	}
	if found && (prev.Owner != t.Owner || prev.HasRationale() != t.HasRationale()) {
		// Named after the snapshot: repairing from it twice queues the update once.
		cause := fmt.Sprintf("repair@%d", s.UpdatedAt.UnixNano())
		if err := h.IssueChanged(ctx, cause, s.InstallationID, s.Repo(), t.Number); err != nil {
			return err
		}
	}
	if _, _, err := h.Reconcile(ctx, s, false); err != nil {
		return err
	}
	return h.publish(ctx, s.InstallationID, s.FullName, nil, &t, cfg, true)
}
