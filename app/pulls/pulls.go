// Package pulls handles the events about pull requests: it traces each pull
// request to the issues it links and their ownership, decides whether the
// pull request says why it is needed, analyses its review discussion into
// the counts dashboards divide, and keeps the bot's one comment on it up to
// date (issue 5).
//
// Conversation comments on a pull request arrive as issue_comment events,
// which package ownership handles; it calls Discussed afterwards so the pull
// request's summary follows.
package pulls

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/ownership"
	"github.com/ownershipbot/ownershipbot/app/publish"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// Comment kinds this package stores, besides ownership.KindIssueComment.
const (
	KindReview        = "review"
	KindReviewComment = "review_comment"
)

// StateIgnored is the stored state of a pull request that the configuration
// tells the bot to leave alone (pull_requests.ignore_authors or
// ignore_labels). It is kept, rather than forgotten, so that its later
// events cost no GitHub request; the gauges count only "open".
const StateIgnored = "ignored"

// maxLinks bounds the issues one pull request is traced to, so a body that
// lists a hundred issues costs at most this many reads.
const maxLinks = 10

// Options configures a Handler.
type Options struct {
	Store   store.Store
	Clients *ghclient.Clients
	// Issues is the issue side: configuration, roles, comment analysis and
	// the assessment of linked issues are shared with it.
	Issues  *ownership.Handler
	Metrics *metrics.Metrics
	Log     *slog.Logger
	Now     func() time.Time // time.Now when nil
	DocsURL string           // config.DocsURL when empty
}

// Handler handles pull_request, pull_request_review,
// pull_request_review_comment and pull_request_review_thread events.
type Handler struct {
	store     store.Store
	clients   *ghclient.Clients
	issues    *ownership.Handler
	metrics   *metrics.Metrics
	log       *slog.Logger
	now       func() time.Time
	docsURL   string
	publisher *publish.Publisher
}

// New returns a Handler.
func New(opts Options) *Handler {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.DocsURL == "" {
		opts.DocsURL = config.DocsURL
	}
	return &Handler{
		store: opts.Store, clients: opts.Clients, issues: opts.Issues, metrics: opts.Metrics,
		log: opts.Log, now: opts.Now, docsURL: opts.DocsURL,
		publisher: publish.New(opts.Store, opts.Clients, opts.Metrics),
	}
}

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
}

// Events implements dispatch.Handler.
func (h *Handler) Events() []string {
	return []string{"pull_request", "pull_request_review", "pull_request_review_comment", "pull_request_review_thread"}
}

// Permissions implements dispatch.Handler: pull requests to receive their
// events and read them; issues to read linked issues and to write the
// comment (a pull request's comments are issue comments).
func (h *Handler) Permissions() map[string]string {
	return map[string]string{"pull_requests": "write", "issues": "write", "metadata": "read"}
}

// Wants implements dispatch.Handler.
func (h *Handler) Wants(event string, env dispatch.Envelope) bool {
	return slices.Contains(usedActions[event], env.Action)
}

// EventLinkedIssueChanged is the internal event that brings a pull request
// up to date after an issue it links gained or lost its owner or rationale.
const EventLinkedIssueChanged = "ownershipbot.linked_issue_changed"

// linkedIssueChanged is the payload of EventLinkedIssueChanged.
type linkedIssueChanged struct {
	Repo   string `json:"repo"` // the pull request's repository
	Number int    `json:"number"`
}

// IssueChanged queues an update of every open pull request that links
// repo#number, keyed like the pull request's own events so it runs in
// order with them. It reads only the store.
func (h *Handler) IssueChanged(ctx context.Context, installationID int64, repo string, number int) error {
	prs, err := h.store.OpenPullRequests(ctx, installationID)
	if err != nil {
		return err
	}
	for _, pr := range prs {
		if !decodeState(pr.LinksJSON).links(repo, number) {
			continue
		}
		payload, _ := json.Marshal(linkedIssueChanged{Repo: pr.Repo, Number: pr.Number})
		now := h.now().UTC()
		if _, err := h.store.Enqueue(ctx, store.Delivery{
			ID:             fmt.Sprintf("linked-issue:%s#%d:%s#%d:%d", repo, number, pr.Repo, pr.Number, now.UnixNano()),
			Event:          EventLinkedIssueChanged,
			InstallationID: installationID,
			OrderKey:       fmt.Sprintf("%s#%d", pr.Repo, pr.Number),
			Payload:        payload,
			ReceivedAt:     now,
		}); err != nil {
			return err
		}
	}
	return nil
}

// linkedIssue re-reads a pull request's linked issues from the store and
// updates its state and comment.
func (h *Handler) linkedIssue(ctx context.Context, d store.Delivery) error {
	var c linkedIssueChanged
	if err := json.Unmarshal(d.Payload, &c); err != nil {
		return ownership.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	p, err := h.load(ctx, d.InstallationID, c.Repo, c.Number)
	if err != nil || !p.found || p.thread.State != "open" {
		return err
	}
	if err := h.relink(ctx, p, p.state.Links); err != nil {
		return err
	}
	return h.finish(ctx, p)
}

// Handle implements dispatch.Handler.
func (h *Handler) Handle(ctx context.Context, d store.Delivery) error {
	if d.Event == EventLinkedIssueChanged {
		return h.linkedIssue(ctx, d)
	}
	ev, err := github.ParseWebHook(d.Event, d.Payload)
	if err != nil {
		return ownership.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	if inst, ok, err := h.store.Installation(ctx, d.InstallationID); err != nil {
		return err
	} else if ok && inst.Suspended {
		return nil // a suspended App does nothing in the org
	}
	var (
		pr     *github.PullRequest
		repo   *github.Repository
		change func(context.Context, *prContext) error
	)
	switch ev := ev.(type) {
	case *github.PullRequestEvent:
		pr, repo = ev.GetPullRequest(), ev.GetRepo()
	case *github.PullRequestReviewEvent:
		pr, repo = ev.GetPullRequest(), ev.GetRepo()
		if ev.GetAction() != "dismissed" { // a dismissed review still said what it said
			change = func(ctx context.Context, p *prContext) error { return h.recordReview(ctx, p, ev.GetReview()) }
		}
	case *github.PullRequestReviewCommentEvent:
		pr, repo = ev.GetPullRequest(), ev.GetRepo()
		change = func(ctx context.Context, p *prContext) error {
			if ev.GetAction() == "deleted" {
				return h.forget(ctx, p, KindReviewComment, ev.GetComment().GetID())
			}
			return h.recordReviewComment(ctx, p, ev.GetComment(), false)
		}
	case *github.PullRequestReviewThreadEvent:
		// Resolving a thread changes nothing the bot shows; the payload
		// carries the thread's comments, so catch up on any never seen.
		pr, repo = ev.GetPullRequest(), ev.GetRepo()
		change = func(ctx context.Context, p *prContext) error {
			for _, c := range ev.GetThread().Comments {
				if err := h.recordReviewComment(ctx, p, c, true); err != nil {
					return err
				}
			}
			return nil
		}
	default:
		return nil
	}
	if pr == nil || repo.GetFullName() == "" {
		return ownership.Permanent(fmt.Errorf("%s payload has no pull request or repository", d.Event))
	}
	p, err := h.load(ctx, d.InstallationID, repo.GetFullName(), pr.GetNumber())
	if err != nil {
		return err
	}
	if err := h.assess(ctx, p, pr); err != nil {
		return err
	}
	if change != nil {
		if err := change(ctx, p); err != nil {
			return err
		}
	}
	if pr.GetMerged() && !p.state.MergeObserved && p.thread.State != StateIgnored {
		// Review comments per merged pull request, once per pull request.
		people, product := p.state.discussion()
		h.metrics.ReviewComments.WithLabelValues("product").Observe(float64(product))
		h.metrics.ReviewComments.WithLabelValues("implementation").Observe(float64(people - product))
		p.state.MergeObserved = true
	}
	return h.finish(ctx, p)
}

// Discussed brings a pull request's state and comment up to date after a
// conversation comment on it was recorded or removed by package ownership
// (its ownership.Options.PullRequestDiscussed hook). A pull request the
// store does not know yet (opened before the App was installed) is read
// from GitHub once.
func (h *Handler) Discussed(ctx context.Context, installationID int64, fullName string, number int, commentID int64) error {
	p, err := h.load(ctx, installationID, fullName, number)
	if err != nil {
		return err
	}
	if !p.found {
		owner, name, _ := strings.Cut(fullName, "/")
		client, err := h.clients.Installation(installationID)
		if err != nil {
			return err
		}
		pr, _, err := client.PullRequests.Get(ctx, owner, name, number)
		if ghclient.IsNotFound(err) {
			return nil // gone, or not a pull request after all
		}
		if err != nil {
			return err
		}
		if err := h.assess(ctx, p, pr); err != nil {
			return err
		}
	} else if p.thread.State != StateIgnored {
		// Linked issues may have changed since: read them again from the
		// store (never from GitHub: each was resolved once already).
		if err := h.relink(ctx, p, p.state.Links); err != nil {
			return err
		}
	}
	if p.thread.State != StateIgnored {
		c, ok, err := h.store.Comment(ctx, ownership.KindIssueComment, commentID)
		if err != nil {
			return err
		}
		p.state.tally(ownership.KindIssueComment, commentID, c, ok)
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
}

// load reads what the store and the configuration say of a pull request.
func (h *Handler) load(ctx context.Context, installationID int64, fullName string, number int) (*prContext, error) {
	p := &prContext{installationID: installationID, fullName: fullName}
	var err error
	p.prev, p.found, err = h.store.Thread(ctx, strings.ToLower(fullName), number)
	if err != nil {
		return nil, err
	}
	p.thread = p.prev
	if p.found {
		p.state = decodeState(p.prev.LinksJSON)
	}
	p.cfg, err = h.issues.Config(ctx, installationID, fullName)
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
	t.State = pr.GetState()
	t.Title = pr.GetTitle()
	t.URL = pr.GetHTMLURL()
	t.Draft = pr.GetDraft()
	t.CreatedAt = pr.GetCreatedAt().Time.UTC()
	t.UpdatedAt = h.now().UTC()
	if !p.found && pr.GetComments() > 0 {
		// New to the store but already discussed: it may carry a bot
		// comment from before the store knew it.
		t.BotCommentPending = true
	}
	p.labels = p.labels[:0]
	for _, l := range pr.Labels {
		p.labels = append(p.labels, l.GetName())
	}
	cfg := p.cfg
	if !cfg.Enabled || cfg.IgnoresPullRequestOpener(pr.GetUser().GetLogin(), pr.GetUser().GetType()) || cfg.IgnoresPullRequestLabels(p.labels) {
		// Left alone: neither nudged nor counted. Its bot comment, if one
		// was written before, stays as it was.
		t.State = StateIgnored
		t.LinkedIssue, t.Rationale, t.RationaleEvidence = "", "", ""
		p.state = state{MergeObserved: p.state.MergeObserved}
		return nil
	}
	r := analysis.DetectRationale(pr.GetTitle(), pr.GetBody(), cfg.RationaleOptions())
	p.state.Reason, p.state.Evidence = string(r.Strength), r.Evidence
	parsed := analysis.ParseLinks(pr.GetTitle(), pr.GetBody())
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
	status := p.state.status(t.Repo, p.cfg, h.docsURL)
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
		t.Rationale, t.RationaleEvidence = string(analysis.StrengthNone), ""
		for _, l := range links {
			if l.Kind == linkIssue && rank(l.Rationale) > rank(t.Rationale) {
				t.Rationale, t.RationaleEvidence = l.Rationale, "linked issue "+l.ref(t.Repo)
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
	th, found, err := h.store.Thread(ctx, w.Repo, w.Number)
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
	client, err := h.clients.Installation(p.installationID)
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
	th, stored, err := h.issues.TrackIssue(ctx, p.installationID, w.Repo, issue)
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

// recordReview analyses a review's body; an empty body (a bare approval)
// is not a comment.
func (h *Handler) recordReview(ctx context.Context, p *prContext, rv *github.PullRequestReview) error {
	if strings.TrimSpace(rv.GetBody()) == "" {
		return h.forget(ctx, p, KindReview, rv.GetID())
	}
	created := rv.GetSubmittedAt().Time
	return h.record(ctx, p, KindReview, rv.GetID(), rv.GetUser(), rv.GetAuthorAssociation(), created, rv.GetBody(), false)
}

// recordReviewComment analyses a comment on the diff; with onlyNew it
// leaves comments already stored alone.
func (h *Handler) recordReviewComment(ctx context.Context, p *prContext, c *github.PullRequestComment, onlyNew bool) error {
	return h.record(ctx, p, KindReviewComment, c.GetID(), c.GetUser(), c.GetAuthorAssociation(), c.GetCreatedAt().Time, c.GetBody(), onlyNew)
}

func (h *Handler) record(ctx context.Context, p *prContext, kind string, id int64, user *github.User, association string, created time.Time, body string, onlyNew bool) error {
	if onlyNew {
		if c, ok, err := h.store.Comment(ctx, kind, id); err != nil || ok {
			if ok {
				p.state.tally(kind, id, c, true)
			}
			return err
		}
	}
	cfg := p.cfg
	if !cfg.Enabled || p.thread.State == StateIgnored || cfg.IgnoresAuthor(user.GetLogin()) || cfg.IgnoresLabels(p.labels) {
		return nil // left alone, as for issue comments
	}
	role, err := h.issues.Role(ctx, p.installationID, cfg.Config, user, association)
	if err != nil {
		return err
	}
	c := store.Comment{
		InstallationID: p.installationID, Kind: kind, ID: id,
		Repo: p.thread.Repo, Number: p.thread.Number, Thread: store.ThreadPullRequest,
		AuthorRole: string(role), CreatedAt: created.UTC(), UpdatedAt: h.now().UTC(),
	}
	if c.CreatedAt.IsZero() {
		c.CreatedAt = c.UpdatedAt
	}
	if err := h.issues.RecordComment(ctx, c, body); err != nil {
		return err
	}
	stored, ok, err := h.store.Comment(ctx, kind, id)
	if err != nil {
		return err
	}
	p.state.tally(kind, id, stored, ok)
	return nil
}

// forget removes a deleted comment's analysis, so the counts drop it.
func (h *Handler) forget(ctx context.Context, p *prContext, kind string, id int64) error {
	if _, err := h.store.DeleteComment(ctx, kind, id); err != nil {
		return err
	}
	p.state.tally(kind, id, store.Comment{}, false)
	return nil
}

// finish stores the pull request's state when it changed and brings its
// bot comment up to date.
func (h *Handler) finish(ctx context.Context, p *prContext) error {
	t := &p.thread
	if t.State == StateIgnored {
		t.LinksJSON = ""
		if p.state.MergeObserved {
			t.LinksJSON = encodeState(state{MergeObserved: true})
		}
	} else {
		t.LinksJSON = encodeState(p.state)
	}
	if !p.found || !p.prev.SameState(*t) {
		if err := h.store.PutThread(ctx, *t); err != nil {
			return err
		}
	}
	return h.publish(ctx, p)
}

// publish keeps the bot's one comment on a pull request true to its state.
// By default it is created only when the pull request links no owned issue
// and gives no reason; never on a draft (until it is ready for review) nor
// on a closed or ignored pull request; edited in place when its text
// changes, and never rewritten with the same text.
func (h *Handler) publish(ctx context.Context, p *prContext) error {
	t := &p.thread
	mode := p.cfg.PullRequests.Comment
	if !p.cfg.Enabled || mode == config.CommentNever || t.State != "open" {
		return nil
	}
	status := p.state.status(t.Repo, p.cfg, h.docsURL)
	if err := h.publisher.Resolve(ctx, p.installationID, p.fullName, t); err != nil {
		return err
	}
	hasComment := t.BotCommentID != 0 || t.BotCommentPending
	if !hasComment && (t.Draft || (mode != config.CommentAlways && status.Satisfied())) {
		return nil
	}
	_, err := h.publisher.Write(ctx, p.installationID, p.fullName, t, renderPullRequest(status))
	return err
}

func rank(strength string) int {
	switch strength {
	case string(analysis.StrengthStrong):
		return 2
	case string(analysis.StrengthWeak):
		return 1
	}
	return 0
}
