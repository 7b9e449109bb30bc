package threads

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/app/config"
	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// AssessIssue computes an issue's ownership state from the issue as GitHub
// sent it, keeping what the store already knew (first owner time, bot
// comment).
func (b *Base) AssessIssue(prev store.Thread, installationID int64, repo string, issue *github.Issue, cfg config.Config) store.Thread {
	t := prev
	t.InstallationID = installationID
	t.Repo = repo
	t.Number = issue.GetNumber()
	t.Kind = store.ThreadIssue
	t.State = store.ThreadState(issue.GetState())
	t.Title = issue.GetTitle()
	t.URL = issue.GetHTMLURL()
	t.CreatedAt = issue.GetCreatedAt().Time.UTC()
	t.UpdatedAt = b.Now().UTC()
	if at := issue.GetUpdatedAt().Time; !at.IsZero() {
		t.SnapshotAt = at.UTC()
	}

	var assignees []string
	for _, a := range issue.Assignees {
		assignees = append(assignees, a.GetLogin())
	}
	if len(assignees) == 0 && issue.Assignee != nil {
		assignees = append(assignees, issue.GetAssignee().GetLogin())
	}
	owner, ok := b.Analyzer.DetectOwner(
		analysis.OwnerInput{Body: issue.GetBody(), Assignees: assignees, Labels: LabelNames(issue.Labels)},
		analysis.OwnerOptions{LabelPattern: cfg.Owner.LabelPattern, Fields: cfg.Owner.Fields},
	)
	t.Owner, t.OwnerSource, t.OwnerKind = "", "", ""
	if ok {
		t.Owner, t.OwnerSource, t.OwnerKind = owner.Name, string(owner.Source), string(owner.Kind)
		if t.FirstOwned.IsZero() {
			t.FirstOwned = b.Now().UTC()
		}
	}
	t.Rationale, t.RationaleEvidence = b.Rationale(issue.GetTitle(), issue.GetBody(), cfg)
	t.LookedIn = LookedIn(cfg)
	return t
}

// MetOwned marks an issue the App met for the first time already owned (read
// from history, brought in by a pull request's link, or an event other than
// its opening): when it got its owner is unknown, so it has no time to
// owner. Its first owner time is then store.FirstOwnedUnknown's.
func MetOwned(t *store.Thread) {
	if !t.FirstOwned.IsZero() && !t.CreatedAt.IsZero() {
		t.FirstOwned = store.FirstOwnedUnknown(t.CreatedAt)
	}
}

// LookedIn records where owner and rationale detection look under cfg, as
// store.Thread.LookedIn keeps it.
func LookedIn(cfg config.Config) string {
	b, _ := json.Marshal(figures.LookedIn{ // plain strings: cannot fail
		OwnerFields: cfg.Owner.Fields, OwnerLabel: cfg.Owner.LabelPattern, RationaleHeadings: cfg.Rationale.Headings,
	})
	return string(b)
}

// Rationale grades how clearly a title and description say why the work
// matters, with the text that shows it.
func (b *Base) Rationale(title, body string, cfg config.Config) (strength, evidence string) {
	r := b.Analyzer.DetectRationale(title, body, cfg.RationaleOptions())
	return string(r.Strength), r.Evidence
}

// PullRationale is Rationale for a pull request's title and description:
// far fewer descriptions than issue reports state a reason, and the
// analysis weighs that.
func (b *Base) PullRationale(title, body string, cfg config.Config) (strength, evidence string) {
	opts := cfg.RationaleOptions()
	opts.PullRequest = true
	r := b.Analyzer.DetectRationale(title, body, opts)
	return string(r.Strength), r.Evidence
}

// IgnoresIssue reports whether the configuration leaves an issue alone.
func IgnoresIssue(cfg config.Loaded, issue *github.Issue) bool {
	return !cfg.Enabled || cfg.IgnoresOpener(issue.GetUser().GetLogin(), issue.GetUser().GetType()) || cfg.IgnoresLabels(LabelNames(issue.Labels))
}

// TrackIssue assesses an issue the App learns of outside its own events
// (a pull request links it) and stores it, unless the repository's
// configuration ignores it; it reports whether the issue is stored. It never
// writes to GitHub: the issue is nudged at its own next event. An issue the
// store already holds is returned as stored.
func (b *Base) TrackIssue(ctx context.Context, installationID int64, fullName string, issue *github.Issue) (store.Thread, bool, error) {
	repo := strings.ToLower(fullName)
	if prev, found, err := b.Store.Thread(ctx, repo, issue.GetNumber()); err != nil || found {
		return prev, found, err
	}
	cfg, err := b.Config(ctx, installationID, fullName)
	if err != nil {
		return store.Thread{}, false, err
	}
	t := b.AssessIssue(store.Thread{}, installationID, repo, issue, cfg.Config)
	if IgnoresIssue(cfg, issue) {
		return t, false, nil
	}
	MetOwned(&t)
	// The issue's own events may have stored it meanwhile: theirs wins.
	added, err := b.Store.AddThread(ctx, t)
	if err != nil || added {
		return t, added, err
	}
	return b.Store.Thread(ctx, repo, issue.GetNumber())
}

// EventLinkedIssueChanged is the internal event that brings a pull request
// up to date after an issue it links gained or lost its owner or rationale.
const EventLinkedIssueChanged = "ownershipbot.linked_issue_changed"

// LinkedIssueChanged is the payload of EventLinkedIssueChanged: the pull
// request to bring up to date.
type LinkedIssueChanged struct {
	Repo   string `json:"repo"` // the pull request's repository
	Number int    `json:"number"`
}

// DecodeLinkedIssueChanged reads an EventLinkedIssueChanged delivery.
func DecodeLinkedIssueChanged(d store.Delivery) (LinkedIssueChanged, error) {
	var c LinkedIssueChanged
	if err := json.Unmarshal(d.Payload, &c); err != nil {
		return c, dispatch.Permanent(fmt.Errorf("decode %s payload: %w", d.Event, err))
	}
	return c, nil
}

// IssueChanged queues an update of every open pull request that links
// repo#number, keyed like the pull request's own events so it runs in
// order with them. It reads only the store. The update's id names the
// delivery that caused it, so a delivery handled twice (a crash before it
// was marked done) queues each update once.
func (b *Base) IssueChanged(ctx context.Context, cause string, installationID int64, repo string, number int) error {
	prs, err := b.Store.PullRequestsLinking(ctx, installationID, repo, number)
	if err != nil {
		return err
	}
	for _, pr := range prs {
		payload, _ := json.Marshal(LinkedIssueChanged{Repo: pr.Repo, Number: pr.Number})
		now := b.Now().UTC()
		if _, err := b.Store.Enqueue(ctx, store.Delivery{
			ID:             fmt.Sprintf("linked-issue:%s#%d:%s#%d:%s", repo, number, pr.Repo, pr.Number, cause),
			Event:          EventLinkedIssueChanged,
			InstallationID: installationID,
			OrderKey:       store.ThreadKey(pr.Repo, pr.Number),
			Payload:        payload,
			ReceivedAt:     now,
		}); err != nil {
			return err
		}
	}
	return nil
}

// LabelNames lists the names of labels.
func LabelNames(labels []*github.Label) []string {
	out := make([]string, 0, len(labels))
	for _, l := range labels {
		out = append(out, l.GetName())
	}
	return out
}
