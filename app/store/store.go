// Package store defines what ownershipbot keeps durably: the delivery queue,
// the ownership state of each issue and pull request, the analysis of each
// comment, and per-installation facts. Two implementations exist: SQLite (the
// embedded default, one replica) and PostgreSQL (several replicas). Both pass
// the same conformance suite in package storetest.
package store

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ErrNoDelivery is returned by Claim when no delivery is ready to run.
var ErrNoDelivery = errors.New("no delivery ready")

// ErrNotLeased is wrapped by Complete, Retry and Release when a delivery is
// not leased (unknown, or already finished by another worker whose claim
// followed an expired lease), and by Fail when it is neither pending nor
// leased.
var ErrNotLeased = errors.New("delivery is not leased")

// Delivery statuses.
const (
	DeliveryPending = "pending" // waiting to run, possibly not before AvailableAt
	DeliveryLeased  = "leased"  // claimed by a worker until LeaseUntil
	DeliveryDone    = "done"    // processed; kept a while so redeliveries are recognised
	DeliveryFailed  = "failed"  // gave up after its retries; kept for an operator
)

// Delivery is one webhook delivery as GitHub sent it, queued for processing.
type Delivery struct {
	ID             string // the X-GitHub-Delivery header
	Event          string // the X-GitHub-Event header
	Action         string // the payload's action, if any
	InstallationID int64
	// OrderKey groups deliveries that must run one at a time, in arrival
	// order, such as "owner/repo#12" for one issue. Empty means no ordering.
	OrderKey   string
	Payload    []byte
	ReceivedAt time.Time

	// Filled in by the store.
	Status      string
	Attempts    int // attempts that have ended in Retry or Fail
	AvailableAt time.Time
	LastError   string
}

// Repo is the repository ("owner/name", lower case) the delivery's order
// key belongs to, or "" for keys that name no repository (an installation's
// own events). The worker pool shares its workers out by it.
func (d Delivery) Repo() string { return RepoOfKey(d.OrderKey) }

// Lane names the lane d runs in: its order key's, or one of its own when it
// has none. Both stores key their lanes by it.
func (d Delivery) Lane() string {
	if d.OrderKey == "" {
		return "delivery:" + d.ID
	}
	return "key:" + d.OrderKey
}

// ThreadKey is the order key of one issue or pull request, "owner/repo#12"
// with the repository in lower case: webhooks and the App's own internal
// events about a thread share its lane through it.
func ThreadKey(repo string, number int) string {
	return strings.ToLower(repo) + "#" + strconv.Itoa(number)
}

// RepoOfKey is the repository part of an order key such as "owner/repo#12".
func RepoOfKey(orderKey string) string {
	repo, _, ok := strings.Cut(orderKey, "#")
	if !ok {
		return ""
	}
	return repo
}

// ClaimOptions says what a claim may take.
type ClaimOptions struct {
	Worker string        // who holds the lease: for operators, and for Extend
	Lease  time.Duration // how long the claim holds before another may take over
	// Max is the most deliveries of the lane taken at once, in order [1].
	Max int
	// SkipRepos and SkipInstallations name lanes not to take now: those of
	// repositories and installations that already hold their share of the
	// workers, or that GitHub asked to wait.
	SkipRepos         []string
	SkipInstallations []int64
}

// Queue is the durable delivery queue. Deliveries run in lanes: one per
// order key (a delivery without one has a lane of its own), each in arrival
// order and one batch at a time. A delivery enqueued is never lost: it stays
// until Complete or Fail, and a lease that expires (a crashed worker) makes
// it claimable again.
type Queue interface {
	// Enqueue stores d durably before returning. It reports false, with no
	// error, when a delivery with the same ID is already stored, unless that
	// one had failed: a redelivery (GitHub keeps the delivery id) then runs
	// it again with a fresh attempt budget, after what its lane already
	// holds, and Enqueue reports true.
	Enqueue(ctx context.Context, d Delivery) (inserted bool, err error)
	// ClaimLane leases, for opts.Lease, up to opts.Max deliveries at the head
	// of the ready lane with the oldest head, in order. A lane is ready when
	// its head is due and nothing of it is leased. It returns ErrNoDelivery
	// when no lane that opts allows is ready.
	ClaimLane(ctx context.Context, opts ClaimOptions) ([]Delivery, error)
	// Claim is ClaimLane for one delivery.
	Claim(ctx context.Context, worker string, leaseFor time.Duration) (Delivery, error)
	// Complete marks leased deliveries done, all in one transaction; if one
	// of them is not leased, none is marked.
	Complete(ctx context.Context, ids ...string) error
	// Retry returns a leased delivery to the queue, to run again no earlier
	// than at, and counts the attempt. Later deliveries of its lane wait.
	Retry(ctx context.Context, id string, at time.Time, lastError string) error
	// Release hands leased deliveries back, due at once, without counting
	// an attempt: work that was claimed and not done (a shutdown, the rest of
	// a batch after a failure).
	Release(ctx context.Context, ids ...string) error
	// Fail marks a delivery failed for good; it no longer blocks its lane.
	Fail(ctx context.Context, id string, lastError string) error
	// Extend keeps leased deliveries leased until until, so a batch that
	// runs longer than one lease is not taken over while it runs. It
	// changes nothing and wraps ErrNotLeased unless worker (the
	// ClaimOptions.Worker of the claim) still holds every one of them on a
	// lease that has not ended: once a lease has ended, another claim may
	// have taken the deliveries, and their first worker must stop.
	Extend(ctx context.Context, worker string, until time.Time, ids ...string) error
	// NextReady reports when a lane that opts allows is next ready: a time
	// not after now when one is ready already, and false when no lane waits.
	NextReady(ctx context.Context, opts ClaimOptions) (time.Time, bool, error)
	// Depth counts deliveries pending or leased.
	Depth(ctx context.Context) (int, error)
	// PruneDone deletes done deliveries received before the given time.
	PruneDone(ctx context.Context, before time.Time) (int, error)
	// Delivery returns one stored delivery by ID, for operators and tests.
	Delivery(ctx context.Context, id string) (Delivery, bool, error)
	// Forget deletes a leased delivery instead of completing it, for work
	// that must leave no trace (the uninstall that purged its installation).
	Forget(ctx context.Context, id string) error
}

// Listener is implemented by stores that several processes share: Listen
// calls wake whenever another process may have made work ready (stored a
// delivery, finished a lane's batch), until ctx ends.
type Listener interface {
	Listen(ctx context.Context, wake func()) error
}

// Thread kinds, as used in metric labels.
const (
	ThreadIssue       = "issue"
	ThreadPullRequest = "pull_request"
)

// ThreadState is what the bot makes of a thread's state on GitHub.
type ThreadState string

// Thread states. The gauges count only open threads.
const (
	StateOpen   ThreadState = "open"
	StateClosed ThreadState = "closed"
	// StateIgnored marks a pull request the configuration tells the bot to
	// leave alone (pull_requests.ignore_authors or ignore_labels). It is
	// kept rather than forgotten, so its later events cost no GitHub request.
	StateIgnored ThreadState = "ignored"
)

// Thread is the ownership state of one issue or pull request.
type Thread struct {
	InstallationID int64
	Repo           string // "owner/name", lower case
	Number         int
	Kind           string // ThreadIssue or ThreadPullRequest
	State          ThreadState
	Title          string
	URL            string // html_url, for summaries and reports
	Draft          bool   // pull requests only
	CreatedAt      time.Time

	Owner       string // "@login" or "@org/team"; empty when none
	OwnerSource string // "assignee", "body", "field", "label"
	OwnerKind   string // "person" or "team"
	// FirstOwned is when the App first saw the issue owned; before
	// CreatedAt (FirstOwnedUnknown) when it was owned already the first
	// time the App met it, so its time to owner is unknown.
	FirstOwned time.Time

	Rationale         string // analysis strength: "none", "weak", "strong"
	RationaleEvidence string
	// LookedIn is where owner and rationale detection looked, as the
	// repository's settings stood when the issue was judged: JSON of
	// figures.LookedIn, "" for the defaults. The page says it beside an
	// issue in need.
	LookedIn string
	// NudgeLabel is the nudge label the bot last put on the issue, "" when
	// none, so that one left behind by a renamed or removed nudge.label
	// comes off.
	NudgeLabel string

	// LinkedIssue summarises a pull request's linked issues: "owned",
	// "unowned" or "none"; Links are those issues as last resolved. Both
	// are empty for issues.
	LinkedIssue string
	Links       []Link
	// PullState is the pull-request handler's own bookkeeping (its
	// description's reason, the level of each comment so far), kept as it
	// wrote it; empty for issues. The store does not read it.
	PullState string

	BotCommentID   int64  // 0 when the bot has no comment here
	BotCommentHash string // hash of the comment's last text as written
	// BotCommentPending means a bot comment may exist on GitHub that the
	// store has no id for: set before the bot creates one (cleared once its
	// id is stored), and for a thread new to the store that already has
	// comments. Either way the bot looks for its marker before creating a
	// comment, so a crash, a transfer or a reinstall never doubles it.
	BotCommentPending bool

	// SnapshotAt is GitHub's updated_at of the issue or pull request as the
	// state was last taken from it. GitHub does not promise to deliver
	// events in order: a snapshot older than this one changes nothing.
	SnapshotAt time.Time

	UpdatedAt time.Time
}

// Newer reports whether a snapshot of the thread that GitHub last updated at
// updatedAt may replace the stored state: it is not older than the one the
// state was taken from. Snapshots of the same second are taken in the order
// they come, since GitHub's timestamps go no finer.
func (t Thread) Newer(updatedAt time.Time) bool {
	return t.SnapshotAt.IsZero() || !updatedAt.Before(t.SnapshotAt)
}

// Link kinds: what a pull request's reference points to.
const (
	LinkIssue       = "issue"        // an issue of the installation, with its ownership state
	LinkPullRequest = "pull_request" // a pull request, not an issue
	LinkOutside     = "outside"      // outside the installation: shown, never read
	LinkMissing     = "missing"      // not found: deleted, private or mistyped
)

// Link is one issue a pull request refers to, as last resolved.
type Link struct {
	Repo    string // "owner/name", lower case
	Number  int
	Closing bool   // a closing keyword ("Fixes #12") precedes it
	Kind    string // LinkIssue, LinkPullRequest, LinkOutside or LinkMissing
	// The issue's owner and rationale strength, for LinkIssue.
	Owner     string
	Rationale string
	// Cached is set for an issue read from GitHub but not stored (its
	// repository's configuration ignores it), so it is not read again.
	Cached bool
}

// FirstOwnedUnknown is the first owner time of an issue that was owned when
// the App first met it: a second before its creation, which no time to
// owner counts (PostgreSQL keeps microseconds, GitHub's times are whole
// seconds).
func FirstOwnedUnknown(createdAt time.Time) time.Time { return createdAt.Add(-time.Second) }

// TimeToOwner is how long the issue took to get its first owner, and
// whether that is known: the App saw it without one first.
func (t Thread) TimeToOwner() (time.Duration, bool) {
	if t.FirstOwned.IsZero() || t.CreatedAt.IsZero() || t.FirstOwned.Before(t.CreatedAt) {
		return 0, false
	}
	return t.FirstOwned.Sub(t.CreatedAt), true
}

// HasRationale reports whether the thread states a reason.
func (t Thread) HasRationale() bool { return t.Rationale == "weak" || t.Rationale == "strong" }

// SameState reports whether two states of a thread differ only in when they
// were computed, so an event that changes nothing costs no write.
func (t Thread) SameState(o Thread) bool {
	if !t.CreatedAt.Equal(o.CreatedAt) || !t.FirstOwned.Equal(o.FirstOwned) || !t.SnapshotAt.Equal(o.SnapshotAt) {
		return false
	}
	if !slices.Equal(t.Links, o.Links) {
		return false
	}
	t.CreatedAt, t.FirstOwned, t.SnapshotAt, t.UpdatedAt, t.Links = time.Time{}, time.Time{}, time.Time{}, time.Time{}, nil
	o.CreatedAt, o.FirstOwned, o.SnapshotAt, o.UpdatedAt, o.Links = time.Time{}, time.Time{}, time.Time{}, time.Time{}, nil
	return reflect.DeepEqual(t, o) // every other field is a plain value
}

// Comment is the stored analysis of one comment, review or review comment.
type Comment struct {
	InstallationID int64
	Kind           string // "issue_comment", "review", "review_comment"
	ID             int64  // GitHub's id, unique within Kind
	Repo           string
	Number         int
	Thread         string // ThreadIssue or ThreadPullRequest
	AuthorRole     string // "engineer", "product", "external", "bot"
	Level          string // "product" or "implementation"
	Concerns       []string
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Installation is what the store knows of one installation of the App.
type Installation struct {
	ID        int64
	Account   string
	Suspended bool
}

// IssueCount is one series of the ownershipbot_issues gauge.
type IssueCount struct {
	Repo         string
	HasOwner     bool
	HasRationale bool
	Count        int
}

// PullRequestCount is one series of the ownershipbot_pull_requests gauge.
type PullRequestCount struct {
	Repo         string
	LinkedIssue  string
	HasRationale bool
	Count        int
}

// CommentCount is one series of the ownershipbot_comments gauge.
type CommentCount struct {
	Repo, Thread, AuthorRole, Level string
	Count                           int
}

// ConcernCount is one series of the ownershipbot_comment_concerns gauge.
type ConcernCount struct {
	Repo, Thread, AuthorRole, Concern string
	Count                             int
}

// Rollup is one repository's figures at the end of one day (UTC), kept so
// leaders see a trend without a Prometheus. It holds counts only.
type Rollup struct {
	Repo                                                string
	Day                                                 time.Time // midnight UTC of the day
	OpenIssues, WithOwner, WithRationale, WithBoth      int
	OpenPulls, PullsLinkedToOwnedIssue, PullsWithReason int
}

// Store is everything ownershipbot keeps.
type Store interface {
	Queue

	// Thread returns the stored state of an issue or pull request.
	Thread(ctx context.Context, repo string, number int) (Thread, bool, error)
	// PutThread inserts or replaces a thread's state.
	PutThread(ctx context.Context, t Thread) error
	// AddThread stores a thread only if none is stored under its repository
	// and number; it reports whether it did. It lets a thread learned of
	// indirectly (an issue a pull request links) never overwrite one that
	// the thread's own events stored meanwhile.
	AddThread(ctx context.Context, t Thread) (bool, error)
	// PullRequestsLinking returns the installation's open pull requests
	// whose links include repo#number, so a change to an issue can reach
	// them.
	PullRequestsLinking(ctx context.Context, installationID int64, repo string, number int) ([]Thread, error)
	// DeleteThread forgets a thread and its comments (deleted or transferred).
	DeleteThread(ctx context.Context, repo string, number int) error

	// PutComment inserts or replaces a comment's analysis.
	PutComment(ctx context.Context, c Comment) error
	// DeleteComment forgets a comment; it reports whether one was stored.
	DeleteComment(ctx context.Context, kind string, id int64) (bool, error)
	// Comment returns one stored comment analysis.
	Comment(ctx context.Context, kind string, id int64) (Comment, bool, error)

	// PutInstallation records an installation and whether it is suspended.
	PutInstallation(ctx context.Context, in Installation) error
	// Installation returns a stored installation.
	Installation(ctx context.Context, id int64) (Installation, bool, error)
	// DeleteInstallation forgets an installation and everything stored for it.
	DeleteInstallation(ctx context.Context, id int64) error
	// DeleteRepository forgets every thread and comment of one repository.
	DeleteRepository(ctx context.Context, repo string) error

	// ConfigNoticeSent reports whether the config problem with this hash was
	// already reported in the repository; MarkConfigNotice records that it was.
	ConfigNoticeSent(ctx context.Context, repo, problemHash string) (bool, error)
	MarkConfigNotice(ctx context.Context, repo, problemHash string) error

	// Gauges, computed from what is stored now.
	IssueCounts(ctx context.Context) ([]IssueCount, error)             // open issues only
	PullRequestCounts(ctx context.Context) ([]PullRequestCount, error) // open pull requests only
	CommentCounts(ctx context.Context, since time.Time) ([]CommentCount, error)
	ConcernCounts(ctx context.Context, since time.Time) ([]ConcernCount, error)

	// AddComment stores a comment's analysis only if none is stored under
	// its kind and id, and reports whether it did: history read from GitHub
	// never overwrites what the comment's own events stored.
	AddComment(ctx context.Context, c Comment) (bool, error)
	// ThreadComments returns the stored comments of one thread.
	ThreadComments(ctx context.Context, repo string, number int) ([]Comment, error)
	// InstallationRepos lists the repositories the store holds anything of
	// for an installation (threads, comments, backfills).
	InstallationRepos(ctx context.Context, installationID int64) ([]string, error)

	History

	// Repositories lists the repositories with stored threads, sorted.
	Repositories(ctx context.Context) ([]string, error)
	// EachThread calls fn with every stored thread of a repository (issues
	// and pull requests, any state, without their links or PullState), by
	// number, one at a time, so that a repository of any size is read in
	// little memory; an error from fn stops it and is returned. fn must not
	// call the store: the rows hold a connection while it runs.
	EachThread(ctx context.Context, repo string, fn func(Thread) error) error
	// PutRollups inserts or replaces daily rollups, by repository and day.
	PutRollups(ctx context.Context, rs []Rollup) error
	// Rollups returns the rollups of days at or after since, by repository
	// and day.
	Rollups(ctx context.Context, since time.Time) ([]Rollup, error)

	// Ping checks that the store answers.
	Ping(ctx context.Context) error
	Close() error
}

// Backfill phases, in the order a backfill goes through them.
const (
	PhaseOpenIssues   = "issues_open"
	PhaseClosedIssues = "issues_closed"
	PhaseOpenPulls    = "pulls_open"
	PhaseClosedPulls  = "pulls_closed"
	PhaseDone         = "done"
)

// Phases lists the backfill phases that read something, in order.
var Phases = []string{PhaseOpenIssues, PhaseClosedIssues, PhaseOpenPulls, PhaseClosedPulls}

// Backfill is how far the App has read one repository's history, and how
// far its drift sweep has looked.
type Backfill struct {
	InstallationID int64
	Repo           string // "owner/name", lower case
	FullName       string // as GitHub spells it
	Phase          string // one of Phases, or PhaseDone
	Cursor         string // GraphQL cursor of the phase's next page; empty at its start
	// Step grows with every change of progress; work that moves the
	// backfill on names the step it expects.
	Step       int64
	Since      time.Time // threads closed before it are not read
	ItemsDone  int
	ItemsTotal int // GitHub's count when the backfill started; an estimate
	StartedAt  time.Time
	UpdatedAt  time.Time
	FinishedAt time.Time
	// SweptAt is when the drift sweep last looked: threads updated since
	// are compared with the store at the next sweep.
	SweptAt time.Time
}

// Done reports whether the backfill has read everything.
func (b Backfill) Done() bool { return b.Phase == PhaseDone }

// History is what the App keeps of its own reading of GitHub: backfill
// progress, requested redeliveries, the one-replica-at-a-time lock, and the
// retention of what it no longer needs.
type History interface {
	// StartBackfill (re)starts the backfill of b.Repo at its first phase,
	// keeping its sweep time, and returns it as stored, with a Step larger
	// than any it had.
	StartBackfill(ctx context.Context, b Backfill) (Backfill, error)
	// Backfill returns one repository's backfill.
	Backfill(ctx context.Context, repo string) (Backfill, bool, error)
	// Backfills lists the backfills of an installation, or of every
	// installation when installationID is 0, by repository.
	Backfills(ctx context.Context, installationID int64) ([]Backfill, error)
	// AdvanceBackfill stores b's progress if the stored step is still
	// expected, and reports whether it did; b.Step is the new step.
	AdvanceBackfill(ctx context.Context, b Backfill, expected int64) (bool, error)
	// MarkSwept records the time up to which the drift sweep has compared
	// a repository.
	MarkSwept(ctx context.Context, repo string, at time.Time) error

	// NoteRedelivery records one more request to redeliver a webhook
	// delivery and returns how many there have been.
	NoteRedelivery(ctx context.Context, guid string, installationID int64, at time.Time) (int, error)
	// Redeliveries returns how many times a delivery was asked for again.
	Redeliveries(ctx context.Context, guid string) (int, error)

	// TryLock takes a lock shared by every replica on the store, without
	// waiting; ok is false when another holder has it. unlock releases it.
	TryLock(ctx context.Context, name string) (unlock func(), ok bool, err error)

	// PruneHistory forgets what the retention no longer covers: closed and
	// ignored threads (with their comments) not updated since before,
	// failed deliveries and config notices older than before, and requests
	// for redelivery older than redeliveredBefore.
	PruneHistory(ctx context.Context, before, redeliveredBefore time.Time) (int, error)
}
