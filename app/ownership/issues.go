package ownership

import (
	"context"
	"errors"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/botcomment"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/store"
)

func (h *Handler) issue(ctx context.Context, d store.Delivery, ev *github.IssuesEvent) error {
	issue := ev.GetIssue()
	if issue == nil || ev.GetRepo().GetFullName() == "" {
		return permanent(errors.New("the issues payload has no issue or repository"))
	}
	if issue.IsPullRequest() {
		return nil
	}
	fullName := ev.GetRepo().GetFullName()
	repo := strings.ToLower(fullName)
	switch ev.GetAction() {
	case "deleted", "transferred":
		// Gone from this repository; a transferred issue is counted where it lands.
		return h.store.DeleteThread(ctx, repo, issue.GetNumber())
	}
	cfg, err := h.loadConfig(ctx, d.InstallationID, fullName)
	if err != nil {
		return err
	}
	labels := labelNames(issue.Labels)
	if !cfg.Enabled || cfg.IgnoresOpener(issue.GetUser().GetLogin(), issue.GetUser().GetType()) || cfg.IgnoresLabels(labels) {
		return h.store.DeleteThread(ctx, repo, issue.GetNumber())
	}

	prev, found, err := h.store.Thread(ctx, repo, issue.GetNumber())
	if err != nil {
		return err
	}
	t := h.assess(prev, d.InstallationID, repo, issue, labels, cfg.Config)
	if !found && issue.GetComments() > 0 {
		// New to the store but already discussed: it may carry a bot comment
		// from before (a transfer, a reinstall, an ignore label removed).
		t.BotCommentPending = true
	}
	// Time to owner is known only for issues seen without an owner first, or
	// born with one; an old issue met for the first time would skew it.
	if prev.FirstOwned.IsZero() && !t.FirstOwned.IsZero() && !t.CreatedAt.IsZero() && (found || ev.GetAction() == "opened") {
		h.metrics.TimeToOwner.WithLabelValues(repo).Observe(t.FirstOwned.Sub(t.CreatedAt).Seconds())
	}
	// Most events change nothing the bot keeps; skip the write then.
	if !found || !prev.SameState(t) {
		if err := h.store.PutThread(ctx, t); err != nil {
			return err
		}
	}
	if found && h.issueChanged != nil && (prev.Owner != t.Owner || prev.HasRationale() != t.HasRationale()) {
		if err := h.issueChanged(ctx, d.InstallationID, repo, t.Number); err != nil {
			return err
		}
	}
	return h.publish(ctx, d.InstallationID, fullName, &t, cfg)
}

// assess computes an issue's ownership state from the issue as GitHub sent
// it, keeping what the store already knew (first owner time, bot comment).
func (h *Handler) assess(prev store.Thread, installationID int64, repo string, issue *github.Issue, labels []string, cfg config.Config) store.Thread {
	t := prev
	t.InstallationID = installationID
	t.Repo = repo
	t.Number = issue.GetNumber()
	t.Kind = store.ThreadIssue
	t.State = issue.GetState()
	t.Title = issue.GetTitle()
	t.URL = issue.GetHTMLURL()
	t.CreatedAt = issue.GetCreatedAt().Time.UTC()
	t.UpdatedAt = h.now().UTC()

	var assignees []string
	for _, a := range issue.Assignees {
		assignees = append(assignees, a.GetLogin())
	}
	if len(assignees) == 0 && issue.Assignee != nil {
		assignees = append(assignees, issue.GetAssignee().GetLogin())
	}
	owner, ok := analysis.DetectOwner(
		analysis.OwnerInput{Body: issue.GetBody(), Assignees: assignees, Labels: labels},
		analysis.OwnerOptions{LabelPattern: cfg.Owner.LabelPattern, Fields: cfg.Owner.Fields},
	)
	t.Owner, t.OwnerSource, t.OwnerKind = "", "", ""
	if ok {
		t.Owner, t.OwnerSource, t.OwnerKind = owner.Name, string(owner.Source), string(owner.Kind)
		if t.FirstOwned.IsZero() {
			t.FirstOwned = h.now().UTC()
		}
	}
	r := analysis.DetectRationale(issue.GetTitle(), issue.GetBody(), cfg.RationaleOptions())
	t.Rationale, t.RationaleEvidence = string(r.Strength), r.Evidence
	return t
}

// publish keeps the bot's one comment on an issue true to its state: it
// creates the comment only when something is missing (or the config says
// always, or a broken config file must be reported), edits it in place when
// its text changes, never writes an unchanged text, and creates it again if
// a person deleted it. Closed issues are not nudged.
func (h *Handler) publish(ctx context.Context, installationID int64, fullName string, t *store.Thread, cfg config.Loaded) error {
	if cfg.Comment == config.CommentNever || t.State != "open" {
		return nil
	}
	status := botcomment.IssueStatus{
		Owner: t.Owner, OwnerSource: t.OwnerSource,
		HasRationale: t.HasRationale(), RationaleEvidence: t.RationaleEvidence,
		LabelPattern: cfg.Owner.LabelPattern, OwnerFields: cfg.Owner.Fields,
		DocsURL: h.docsURL,
	}
	if err := h.publisher.Resolve(ctx, installationID, fullName, t); err != nil {
		return err
	}
	notice := ""
	if cfg.Err != nil {
		sent, err := h.store.ConfigNoticeSent(ctx, t.Repo, cfg.ProblemHash())
		if err != nil {
			return err
		}
		if !sent {
			notice = cfg.ProblemHash()
			status.ConfigSource, status.ConfigProblem = cfg.Source, cfg.Err.Error()
		}
	}
	hasComment := t.BotCommentID != 0 || t.BotCommentPending
	if !hasComment && status.Complete() && cfg.Comment != config.CommentAlways && notice == "" {
		return nil
	}
	text := botcomment.RenderIssue(status)
	wrote, err := h.publisher.Write(ctx, installationID, fullName, t, text)
	if err != nil || !wrote || notice == "" {
		return err
	}
	return h.store.MarkConfigNotice(ctx, t.Repo, notice)
}

func labelNames(labels []*github.Label) []string {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		out = append(out, l.GetName())
	}
	return out
}
