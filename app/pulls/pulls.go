// Package pulls handles the events about pull requests: it traces each pull
// request to the issues it links and their ownership, decides whether the
// pull request says why it is needed, records its discussion (conversation
// comments, reviews, review comments) into the counts dashboards divide,
// and keeps the bot's one comment on it up to date.
package pulls

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/store"
	"github.com/ownershipbot/ownershipbot/app/threads"
)

// maxLinks bounds the issues one pull request is traced to, so a body that
// lists a hundred issues costs at most this many reads.
const maxLinks = 10

// Handler handles pull_request, pull_request_review,
// pull_request_review_comment and pull_request_review_thread events, the
// issue_comment events of pull requests' conversations,
// threads.EventLinkedIssueChanged and EventHistoryComments.
type Handler struct{ *threads.Base }

// New returns a Handler.
func New(base *threads.Base) *Handler { return &Handler{base} }

// usedActions are the actions that can change what the bot keeps or shows.
// pull_request.synchronize (new commits) is not among them: the bot shows
// nothing about the code, so a push is answered as unused and never stored.
// review_requested and the like change nothing either.
var usedActions = map[string][]string{
	"pull_request": {"opened", "edited", "reopened", "ready_for_review", "converted_to_draft", "closed",
		"assigned", "unassigned", "labeled", "unlabeled"},
	"pull_request_review":         {"submitted", "edited", "dismissed"},
	"pull_request_review_comment": {"created", "edited", "deleted"},
	"pull_request_review_thread":  {"resolved", "unresolved"},
	"issue_comment":               {"created", "edited", "deleted"},
}

// Events implements dispatch.Handler.
func (h *Handler) Events() []string {
	return []string{"issue_comment", "pull_request", "pull_request_review", "pull_request_review_comment", "pull_request_review_thread"}
}

// Permissions implements dispatch.Handler: pull requests to receive their
// events and read them; issues to read linked issues and to write the
// comment (a pull request's comments are issue comments).
func (h *Handler) Permissions() map[string]string {
	return map[string]string{"pull_requests": "write", "issues": "write", "metadata": "read"}
}

// Wants implements dispatch.Handler. Of issue_comment events it takes those
// on a pull request's conversation.
func (h *Handler) Wants(event string, env dispatch.Envelope) bool {
	if event == "issue_comment" && env.Issue.PullRequest == nil {
		return false
	}
	return slices.Contains(usedActions[event], env.Action)
}

// Handle implements dispatch.Handler.
func (h *Handler) Handle(ctx context.Context, d store.Delivery) error {
	switch d.Event {
	case threads.EventLinkedIssueChanged:
		return h.linkedIssue(ctx, d)
	case EventHistoryComments:
		return h.historyComments(ctx, d)
	}
	ev, err := threads.DecodeEvent(d.Event, d.Payload)
	if err != nil {
		return dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	if off, err := h.Suspended(ctx, d.InstallationID); err != nil || off {
		return err
	}
	if ev, ok := ev.(*github.PullRequestEvent); ok {
		pr, repo := ev.GetPullRequest(), ev.GetRepo()
		if pr == nil || repo.GetFullName() == "" {
			return dispatch.Permanent(fmt.Errorf("%s payload has no pull request or repository", d.Event))
		}
		return h.update(ctx, d.InstallationID, repo.GetFullName(), pr, nil)
	}
	disc, err := threads.Discuss(d.InstallationID, ev)
	if err != nil {
		return err
	}
	if disc.PullRequest == nil {
		return h.conversation(ctx, &disc)
	}
	return h.update(ctx, d.InstallationID, disc.Repo, disc.PullRequest, &disc)
}

// update brings a pull request up to date from GitHub's view of it, and
// records the comments of disc (nil for pull_request events).
func (h *Handler) update(ctx context.Context, installationID int64, fullName string, pr *github.PullRequest, disc *threads.Discussion) error {
	p, err := h.load(ctx, installationID, fullName, pr.GetNumber())
	if err != nil {
		return err
	}
	if p.found && !p.prev.Newer(pr.GetUpdatedAt().Time) {
		// GitHub does not promise delivery order: this event shows the pull
		// request as it was before the state stored, which stands; its
		// comments are still recorded.
		h.Log.Info("pull request event older than the state stored; state kept", "repository", p.prev.Repo, "number", p.prev.Number,
			"event_updated_at", pr.GetUpdatedAt().Time, "stored_updated_at", p.prev.SnapshotAt)
	} else if err := h.assess(ctx, p, pr); err != nil {
		return err
	}
	if disc != nil {
		recorded, err := h.Record(ctx, disc)
		if err != nil {
			return err
		}
		p.tally(recorded)
	}
	if pr.GetMerged() && !p.state.MergeObserved && p.thread.State != store.StateIgnored {
		// Review comments per merged pull request, once per pull request.
		people, product := p.state.discussion()
		h.Metrics.ReviewComments.WithLabelValues("product").Observe(float64(product))
		h.Metrics.ReviewComments.WithLabelValues("implementation").Observe(float64(people - product))
		p.state.MergeObserved = true
	}
	return h.finish(ctx, p)
}

// conversation records a comment on a pull request's conversation, then
// brings the pull request's state and comment up to date. An issue_comment
// payload carries the pull request only as an issue, so a pull request the
// store does not know yet (opened before the App was installed) is read
// from GitHub once.
func (h *Handler) conversation(ctx context.Context, disc *threads.Discussion) error {
	recorded, err := h.Record(ctx, disc)
	if err != nil || len(recorded) == 0 {
		return err // the bot's own comment, or one the configuration ignores
	}
	p, err := h.load(ctx, disc.InstallationID, disc.Repo, disc.Number)
	if err != nil {
		return err
	}
	if !p.found {
		owner, name, _ := strings.Cut(disc.Repo, "/")
		client, err := h.Clients.Installation(disc.InstallationID)
		if err != nil {
			return err
		}
		pr, _, err := client.PullRequests.Get(ctx, owner, name, disc.Number)
		if ghclient.IsNotFound(err) {
			return nil // gone, or not a pull request after all
		}
		if err != nil {
			return err
		}
		if err := h.assess(ctx, p, pr); err != nil {
			return err
		}
	} else if p.thread.State != store.StateIgnored {
		// Linked issues may have changed since: read them again from the
		// store (never from GitHub: each was resolved once already).
		if err := h.relink(ctx, p, p.state.Links); err != nil {
			return err
		}
	}
	if p.thread.State != store.StateIgnored {
		p.tally(recorded)
	}
	return h.finish(ctx, p)
}

// linkedIssue re-reads a pull request's linked issues from the store and
// updates its state and comment.
func (h *Handler) linkedIssue(ctx context.Context, d store.Delivery) error {
	c, err := threads.DecodeLinkedIssueChanged(d)
	if err != nil {
		return err
	}
	p, err := h.load(ctx, d.InstallationID, c.Repo, c.Number)
	if err != nil || !p.found || p.thread.State != store.StateOpen {
		return err
	}
	if err := h.relink(ctx, p, p.state.Links); err != nil {
		return err
	}
	return h.finish(ctx, p)
}

// prContext is one pull request while an event is processed.
type prContext struct {
	installationID int64
	fullName       string // as GitHub spells it
	cfg            config.Loaded
	prev           store.Thread
	found          bool
	thread         store.Thread
	state          state
	labels         []string
	hold           bool // keep an existing comment true, create none
}

// load reads what the store and the configuration say of a pull request.
func (h *Handler) load(ctx context.Context, installationID int64, fullName string, number int) (*prContext, error) {
	p := &prContext{installationID: installationID, fullName: fullName}
	var err error
	p.prev, p.found, err = h.Store.Thread(ctx, strings.ToLower(fullName), number)
	if err != nil {
		return nil, err
	}
	p.thread = p.prev
	if p.found {
		p.state = decodeState(p.prev)
	}
	p.cfg, err = h.Config(ctx, installationID, fullName)
	return p, err
}

// assess updates the pull request's stored state from GitHub's view of it:
// title, body, draft, state, labels, and the issues it links.
func (h *Handler) assess(ctx context.Context, p *prContext, pr *github.PullRequest) error {
	t := &p.thread
	t.InstallationID = p.installationID
	t.Repo = strings.ToLower(p.fullName)
	t.Number = pr.GetNumber()
	t.Kind = store.ThreadPullRequest
	t.State = store.ThreadState(pr.GetState())
	t.Title = pr.GetTitle()
	t.URL = pr.GetHTMLURL()
	t.Draft = pr.GetDraft()
	t.CreatedAt = pr.GetCreatedAt().Time.UTC()
	t.UpdatedAt = h.Now().UTC()
	if at := pr.GetUpdatedAt().Time; !at.IsZero() {
		t.SnapshotAt = at.UTC()
	}
	threads.MayCarryBotComment(t, p.found, pr.GetComments())
	p.labels = p.labels[:0]
	for _, l := range pr.Labels {
		p.labels = append(p.labels, l.GetName())
	}
	cfg := p.cfg
	if !cfg.Enabled || cfg.IgnoresPullRequestOpener(pr.GetUser().GetLogin(), pr.GetUser().GetType()) || cfg.IgnoresPullRequestLabels(p.labels) {
		// Left alone: neither nudged nor counted. Its bot comment, if one
		// was written before, stays as it was.
		t.State = store.StateIgnored
		t.LinkedIssue, t.Rationale, t.RationaleEvidence = "", "", ""
		p.state = state{MergeObserved: p.state.MergeObserved}
		return nil
	}
	p.state.Reason, p.state.Evidence = h.PullRationale(pr.GetTitle(), pr.GetBody(), cfg.Config)
	parsed := h.Analyzer.ParseLinks(pr.GetTitle(), pr.GetBody())
	wanted := make([]link, 0, min(len(parsed), maxLinks))
	for _, l := range parsed {
		if len(wanted) == maxLinks {
			break
		}
		repo := t.Repo
		if l.Owner != "" {
			repo = strings.ToLower(l.Owner + "/" + l.Repo)
		}
		wanted = append(wanted, link{Repo: repo, Number: l.Number, Closing: l.Closing})
	}
	return h.relink(ctx, p, wanted)
}

// relink resolves the wanted links into issues with their ownership state,
// then recomputes the pull request's summary fields.
func (h *Handler) relink(ctx context.Context, p *prContext, wanted []link) error {
	links := make([]link, 0, len(wanted))
	for _, w := range wanted {
		l, err := h.resolve(ctx, p, w)
		if err != nil {
			return err
		}
		links = append(links, l)
	}
	p.state.Links = links
	t := &p.thread
	status := p.state.status(t.Repo, p.cfg, h.DocsFor(p.cfg.Config))
	t.LinkedIssue = "none"
	for _, l := range links {
		if l.Kind != linkPull {
			t.LinkedIssue = "unowned"
		}
	}
	if status.OwnedLink() {
		t.LinkedIssue = "owned"
	}
	// The pull request's reason is its own, else its linked issues'.
	t.Rationale, t.RationaleEvidence = p.state.Reason, p.state.Evidence
	if !status.HasReason {
		t.Rationale, t.RationaleEvidence = "none", ""
		for _, l := range links {
			if l.Kind == linkIssue && threads.Rank(l.Rationale) > threads.Rank(t.Rationale) {
				t.Rationale, t.RationaleEvidence = l.Rationale, "linked issue "+ref(l, t.Repo)
			}
		}
	}
	return nil
}

// resolve finds what a link points to. The store is asked first; a link
// resolved before keeps its answer when the store cannot give a better one;
// an issue of the same account is read from GitHub once and stored; an
// issue of another account is outside the installation and never read.
func (h *Handler) resolve(ctx context.Context, p *prContext, w link) (link, error) {
	out := link{Repo: w.Repo, Number: w.Number, Closing: w.Closing}
	th, found, err := h.Store.Thread(ctx, w.Repo, w.Number)
	if err != nil {
		return out, err
	}
	if found {
		if th.Kind == store.ThreadPullRequest {
			out.Kind = linkPull
		} else {
			out.Kind, out.Owner, out.Rationale = linkIssue, th.Owner, th.Rationale
		}
		return out, nil
	}
	for _, prev := range p.state.Links { // as resolved at an earlier event
		if prev.Repo == w.Repo && prev.Number == w.Number && (prev.Kind != linkIssue || prev.Cached) {
			prev.Closing = w.Closing
			return prev, nil
		}
	}
	base, _, _ := strings.Cut(p.thread.Repo, "/")
	owner, name, _ := strings.Cut(w.Repo, "/")
	if owner != base {
		out.Kind = linkOutside
		return out, nil
	}
	client, err := h.Clients.Installation(p.installationID)
	if err != nil {
		return out, err
	}
	issue, _, err := client.Issues.Get(ctx, owner, name, w.Number)
	if status := statusOf(err); status == http.StatusNotFound || status == http.StatusGone {
		out.Kind = linkMissing // deleted, mistyped, or a repository the App cannot see
		return out, nil
	}
	if err != nil {
		return out, err
	}
	if issue.IsPullRequest() {
		out.Kind = linkPull
		return out, nil
	}
	if issue.GetNumber() != w.Number || !strings.HasSuffix(strings.ToLower(issue.GetRepositoryURL()), "/repos/"+w.Repo) {
		// GitHub followed a transfer to the issue's new home; its state
		// belongs there, not under the number this pull request wrote.
		out.Kind = linkMissing
		return out, nil
	}
	th, stored, err := h.TrackIssue(ctx, p.installationID, w.Repo, issue)
	if err != nil {
		return out, err
	}
	out.Kind, out.Owner, out.Rationale = linkIssue, th.Owner, th.Rationale
	out.Cached = !stored // ignored by its repository's config: remember what was read
	return out, nil
}

func statusOf(err error) int {
	var e *github.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

// tally takes the comments as recorded into the pull request's summary.
func (p *prContext) tally(recorded []threads.Recorded) {
	for _, r := range recorded {
		p.state.tally(r.Kind, r.ID, r.Comment, r.Stored)
	}
}

// finish stores the pull request's state when it changed and brings its
// bot comment up to date.
func (h *Handler) finish(ctx context.Context, p *prContext) error {
	t := &p.thread
	if t.State == store.StateIgnored {
		encodeState(t, state{MergeObserved: p.state.MergeObserved})
	} else {
		encodeState(t, p.state)
	}
	if !p.found || !p.prev.SameState(*t) {
		if err := h.Store.PutThread(ctx, *t); err != nil {
			return err
		}
	}
	return h.publish(ctx, p)
}

// publish keeps the bot's one comment on a pull request true to its state.
// By default a comment is wanted only when the pull request links no owned
// issue and gives no reason; none is created on a draft (until it is ready
// for review) nor on a closed or ignored pull request.
func (h *Handler) publish(ctx context.Context, p *prContext) error {
	if !p.cfg.Enabled {
		return nil
	}
	mode := p.cfg.PullRequestMode()
	status := p.state.status(p.thread.Repo, p.cfg, h.DocsFor(p.cfg.Config))
	return h.Publish(ctx, threads.Nudge{
		InstallationID: p.installationID, FullName: p.fullName, Thread: &p.thread, Mode: mode,
		Wanted: !status.Satisfied(), Hold: p.thread.Draft || p.hold, Text: renderPullRequest(status),
	})
}
