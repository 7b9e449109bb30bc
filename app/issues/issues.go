// Package issues handles the events about issues and their comments: it
// keeps each issue's owner and rationale in the store, keeps the bot's one
// comment on it up to date, and records each comment on it.
package issues

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// Handler handles issues events and issue_comment events on issues.
type Handler struct{ *threads.Base }

// New returns a Handler.
func New(base *threads.Base) *Handler { return &Handler{base} }

// Events implements dispatch.Handler.
func (h *Handler) Events() []string { return []string{"issue_comment", "issues"} }

// Permissions implements dispatch.Handler: issues to read them and write the
// comment; contents to read .github/ownership.yml; members to resolve
// product teams; metadata, which every App has.
func (h *Handler) Permissions() map[string]string {
	return map[string]string{"issues": "write", "contents": "read", "members": "read", "metadata": "read"}
}

var usedActions = map[string][]string{
	"issues":        {"opened", "edited", "assigned", "unassigned", "labeled", "unlabeled", "closed", "reopened", "deleted", "transferred"},
	"issue_comment": {"created", "edited", "deleted"},
}

// Wants implements dispatch.Handler. Comments on a pull request's
// conversation belong to the pull request's handler.
func (h *Handler) Wants(event string, env dispatch.Envelope) bool {
	if event == "issue_comment" && env.Issue.PullRequest != nil {
		return false
	}
	return slices.Contains(usedActions[event], env.Action)
}

// Handle implements dispatch.Handler.
func (h *Handler) Handle(ctx context.Context, d store.Delivery) error {
	ev, err := threads.DecodeEvent(d.Event, d.Payload)
	if err != nil {
		return dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	if off, err := h.Suspended(ctx, d.InstallationID); err != nil || off {
		return err
	}
	switch ev := ev.(type) {
	case *github.IssuesEvent:
		return h.issue(ctx, d, ev)
	case *github.IssueCommentEvent:
		disc, err := threads.Discuss(d.InstallationID, ev)
		if err != nil {
			return err
		}
		if disc.Thread != store.ThreadIssue {
			return nil // a pull request's conversation: its own handler takes it
		}
		_, err = h.Record(ctx, &disc)
		return err
	}
	return nil
}

func (h *Handler) issue(ctx context.Context, d store.Delivery, ev *github.IssuesEvent) error {
	issue := ev.GetIssue()
	if issue == nil || ev.GetRepo().GetFullName() == "" {
		return dispatch.Permanent(errors.New("the issues payload has no issue or repository"))
	}
	if issue.IsPullRequest() {
		return nil
	}
	fullName := ev.GetRepo().GetFullName()
	repo := strings.ToLower(fullName)
	switch ev.GetAction() {
	case "deleted", "transferred":
		// Gone from this repository; a transferred issue is counted where it lands.
		return h.Store.DeleteThread(ctx, repo, issue.GetNumber())
	}
	cfg, err := h.Config(ctx, d.InstallationID, fullName)
	if err != nil {
		return err
	}
	prev, found, err := h.Store.Thread(ctx, repo, issue.GetNumber())
	if err != nil {
		return err
	}
	if found && !prev.Newer(issue.GetUpdatedAt().Time) {
		// GitHub does not promise delivery order: this event shows the issue
		// as it was before the state stored, which stands. The comment is
		// kept true to that state (the stored issue may never have been
		// nudged, if a pull request's link brought it in).
		h.Log.Info("issue event older than the state stored; state kept", "repository", repo, "number", prev.Number,
			"event_updated_at", issue.GetUpdatedAt().Time, "stored_updated_at", prev.SnapshotAt)
		return h.publish(ctx, d.InstallationID, fullName, nil, &prev, cfg, false)
	}
	if threads.IgnoresIssue(cfg, issue) {
		return h.Store.DeleteThread(ctx, repo, issue.GetNumber())
	}

	t := h.AssessIssue(prev, d.InstallationID, repo, issue, cfg.Config)
	threads.MayCarryBotComment(&t, found, issue.GetComments())
	// Time to owner is known only for issues seen without an owner first, or
	// born with one; an old issue met for the first time would skew it.
	if !found && ev.GetAction() != "opened" {
		threads.MetOwned(&t)
	}
	if prev.FirstOwned.IsZero() {
		if d, ok := t.TimeToOwner(); ok {
			h.Metrics.TimeToOwner.WithLabelValues(repo).Observe(d.Seconds())
		}
	}
	// Most events change nothing the bot keeps; skip the write then.
	if !found || !prev.SameState(t) {
		if err := h.Store.PutThread(ctx, t); err != nil {
			return err
		}
	}
	if found && (prev.Owner != t.Owner || prev.HasRationale() != t.HasRationale()) {
		if err := h.IssueChanged(ctx, d.ID, d.InstallationID, repo, t.Number); err != nil {
			return err
		}
	}
	return h.publish(ctx, d.InstallationID, fullName, ev, &t, cfg, false)
}

// publish keeps the bot's one comment on an issue true to its state, and
// the nudge label in step with it. The comment is wanted when something is
// missing; a broken configuration file is reported (once per problem) in
// the next comment written, never a reason to write one on an issue that
// lacks nothing. When an issue closes while its comment still asks for
// something, the comment is edited once to say in one line what it closed
// without. With comment: never no comment is created and no label added,
// but a comment written before is still kept true. ev is the event
// that brought t up to date; nil for one older than the state stored, or a
// repair from history, whose action and labels are not the issue's news, so
// neither the closing edit nor the label follows it. With hold, an existing
// comment is kept true but none is created.
//
// The writes happen once per batch of the issue's deliveries (see
// dispatch.DeferValue), as the batch's last publish says, from the issue as
// stored at the end of the batch.
func (h *Handler) publish(ctx context.Context, installationID int64, fullName string, ev *github.IssuesEvent, t *store.Thread, cfg config.Loaded, hold bool) error {
	p := issuePublish{installationID: installationID, fullName: fullName, ev: ev, repo: t.Repo, number: t.Number,
		cfg: cfg, hold: hold}
	if ev != nil && ev.GetAction() == "closed" {
		if closed := h.status(t, cfg); !closed.Complete() {
			p.closedWithout = &closed
		}
	}
	return dispatch.DeferValue(ctx, threads.PublishKey(t.Repo, t.Number), p, mergeIssuePublish, h.publishNow)
}

// issuePublish is one delivery's request to bring an issue's comment and
// label up to date.
type issuePublish struct {
	installationID int64
	fullName       string
	ev             *github.IssuesEvent
	repo           string
	number         int
	cfg            config.Loaded
	hold           bool
	// closedWithout is the issue as ev closed it, when it closed without an
	// owner or a reason: what the closing line says, even if a later
	// delivery of the batch changed the issue while closed.
	closedWithout *botcomment.IssueStatus
}

// mergeIssuePublish is the later delivery's request, as one at a time the
// two would have left things: the earlier one would have created a comment
// the later one keeps true, and written the closing line that the later one
// (on a closed issue) leaves as it is.
func mergeIssuePublish(earlier, later issuePublish) issuePublish {
	later.hold = later.hold && earlier.hold
	if later.closedWithout == nil && later.ev != nil {
		later.closedWithout = earlier.closedWithout
	}
	return later
}

func (h *Handler) publishNow(ctx context.Context, p issuePublish) error {
	// Later deliveries of the batch may have changed the issue (its bot
	// comment seen through its own webhook) or forgotten it (deleted).
	stored, found, err := h.Store.Thread(ctx, p.repo, p.number)
	if err != nil || !found {
		return err
	}
	t, cfg, ev := &stored, p.cfg, p.ev
	installationID, fullName := p.installationID, p.fullName
	status := h.status(t, cfg)
	quiet := cfg.Comment == config.CommentNever
	if t.State != store.StateOpen {
		if ev == nil {
			return nil
		}
		// Quiet, the closing line goes only into a comment the store knows:
		// no looking for one on GitHub.
		if p.closedWithout != nil && (!quiet || t.BotCommentID != 0) {
			if err := h.Publisher.Resolve(ctx, installationID, fullName, t); err != nil {
				return err
			}
			if _, err := h.Publisher.Edit(ctx, installationID, fullName, t, botcomment.RenderClosed(*p.closedWithout)); err != nil {
				return err
			}
		}
		return h.keepLabel(ctx, installationID, ev, t, cfg, false, true)
	}
	// A broken file is reported once where it lives: the org's file once
	// for the whole org, not in every repository that falls back to it.
	notice, noticeRepo := "", cfg.SourceRepo()
	if cfg.Err != nil && !quiet {
		sent, err := h.Store.ConfigNoticeSent(ctx, noticeRepo, cfg.ProblemHash())
		if err != nil {
			return err
		}
		if !sent {
			notice = cfg.ProblemHash()
			status.ConfigSource, status.ConfigProblem = cfg.Source, config.Summary(cfg.Err)
		}
	}
	wrote, err := h.PublishNow(ctx, threads.Nudge{
		InstallationID: installationID, FullName: fullName, Thread: t, Mode: cfg.Comment,
		Wanted: !status.Complete(), Hold: p.hold, Text: botcomment.RenderIssue(status),
	})
	if err != nil {
		return err
	}
	if wrote && notice != "" {
		if err := h.Store.MarkConfigNotice(ctx, noticeRepo, notice); err != nil {
			return err
		}
	}
	return h.keepLabel(ctx, installationID, ev, t, cfg, t.BotCommentID != 0 && !status.Complete() && !quiet, status.Complete())
}

// status is what the bot comment says of an issue as t holds it.
func (h *Handler) status(t *store.Thread, cfg config.Loaded) botcomment.IssueStatus {
	return botcomment.IssueStatus{
		Owner: t.Owner, OwnerSource: t.OwnerSource,
		HasRationale: t.HasRationale(), RationaleEvidence: t.RationaleEvidence,
		LabelPattern: cfg.Owner.LabelPattern, OwnerFields: cfg.Owner.Fields,
		Intro: cfg.Nudge.Intro, DocsURL: h.DocsFor(cfg.Config),
	}
}

// keepLabel keeps nudge.label in step with the comment: added while the
// comment asks for an owner or a reason (asking), removed once the issue
// has both or is closed (settled); written only when the issue, as the event shows
// it, is not already so. A person who just removed the label is not
// overruled at once: it comes back at the issue's next change while
// something is still missing. A label the bot put on under an earlier
// nudge.label (renamed or removed since) comes off at the issue's next
// change; t remembers which label the bot put on.
func (h *Handler) keepLabel(ctx context.Context, installationID int64, ev *github.IssuesEvent, t *store.Thread, cfg config.Loaded, asking, settled bool) error {
	if ev == nil {
		return nil
	}
	issue := ev.GetIssue()
	fullName := ev.GetRepo().GetFullName()
	has := func(name string) bool {
		return slices.ContainsFunc(issue.Labels, func(l *github.Label) bool { return strings.EqualFold(l.GetName(), name) })
	}
	label, put := cfg.Nudge.Label, t.NudgeLabel
	if put != "" && !strings.EqualFold(put, label) {
		if has(put) {
			if err := h.Publisher.Label(ctx, installationID, fullName, issue.GetNumber(), put, false); err != nil {
				return err
			}
		}
		put = ""
	}
	if label != "" {
		switch {
		case asking && !has(label):
			if ev.GetAction() == "unlabeled" && strings.EqualFold(ev.GetLabel().GetName(), label) {
				break
			}
			if err := h.Publisher.Label(ctx, installationID, fullName, issue.GetNumber(), label, true); err != nil {
				return err
			}
			put = label
		case asking:
			put = label
		case settled:
			if has(label) {
				if err := h.Publisher.Label(ctx, installationID, fullName, issue.GetNumber(), label, false); err != nil {
					return err
				}
			}
			put = ""
		}
	}
	if put == t.NudgeLabel {
		return nil
	}
	t.NudgeLabel = put
	return h.Store.PutThread(ctx, *t)
}
