package pulls

import (
	"context"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// Import stores a pull request read from history that the store does not
// hold yet, with its links and discussion, and the comments of one it holds
// that it does not hold yet. Nothing is written to GitHub.
func (h *Handler) Import(ctx context.Context, s *threads.Snapshot) error {
	p, err := h.load(ctx, s.InstallationID, s.FullName, s.Number())
	if err != nil {
		return err
	}
	if p.found {
		_, err := h.Remember(ctx, s)
		return err
	}
	if err := h.assess(ctx, p, s.PullRequest); err != nil {
		return err
	}
	if s.BotComment != nil {
		p.thread.BotCommentID, p.thread.BotCommentPending = s.BotComment.GetID(), false
	}
	if p.thread.State != store.StateIgnored {
		recorded, err := h.Remember(ctx, s)
		if err != nil {
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
	_, err = h.Store.AddThread(ctx, p.thread)
	return err
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
