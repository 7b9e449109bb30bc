package githubsim

import (
	"fmt"
	"strings"
)

// PullInput is a new pull request. Its number is shared with the
// repository's issues.
type PullInput struct {
	Title     string
	Body      string
	Head      string // branch; default "feature-<n>"
	Base      string // default: the repository's default branch
	Draft     bool
	Assignees []string
	Labels    []string
	// Reviewers are requested at creation (no review_requested events).
	Reviewers []string
}

// OpenPullRequest opens a pull request (pull_request.opened) and returns its
// number.
func (s *Sim) OpenPullRequest(actor, repoName string, in PullInput) (int, Delivery, error) {
	s.mu.Lock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		s.mu.Unlock()
		return 0, Delivery{}, err
	}
	u := s.userLocked(actor, "")
	is := s.newIssueLocked(r, u, in.Title, in.Body, in.Assignees, in.Labels)
	p := &pull{HeadRef: in.Head, BaseRef: in.Base, Draft: in.Draft, BaseSHA: r.HeadSHA}
	if p.HeadRef == "" {
		p.HeadRef = fmt.Sprintf("feature-%d", is.Number)
	}
	if p.BaseRef == "" {
		p.BaseRef = r.DefaultBranch
	}
	p.HeadSHA = fakeSHA(fmt.Sprint(r.FullName(), is.Number, 0))
	for _, rv := range in.Reviewers {
		p.RequestedReviewers = append(p.RequestedReviewers, s.userLocked(rv, ""))
	}
	is.PR = p
	send := s.emitLocked("pull_request", r, u, obj{"action": "opened", "number": is.Number, "pull_request": s.pullJSON(r, is)})
	s.mu.Unlock()
	d, err := send()
	return is.Number, d, err
}

// EditPullRequestTitle changes a pull request's title (pull_request.edited).
func (s *Sim) EditPullRequestTitle(actor, repoName string, number int, title string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", editTitle(title))
}

// EditPullRequestBody changes a pull request's description
// (pull_request.edited with changes.body.from).
func (s *Sim) EditPullRequestBody(actor, repoName string, number int, body string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", editBody(body))
}

// ClosePullRequest closes a pull request without merging (pull_request.closed,
// merged false).
func (s *Sim) ClosePullRequest(actor, repoName string, number int) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", func(_ *repo, is *issue, u *user) (obj, error) {
		if is.State == "closed" {
			return nil, fmt.Errorf("githubsim: %s#%d is already closed", repoName, number)
		}
		is.State, is.ClosedAt, is.ClosedBy = "closed", s.now(), u
		return obj{"action": "closed"}, nil
	})
}

// MergePullRequest merges a pull request (pull_request.closed, merged true).
func (s *Sim) MergePullRequest(actor, repoName string, number int) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", func(r *repo, is *issue, u *user) (obj, error) {
		if is.State == "closed" {
			return nil, fmt.Errorf("githubsim: %s#%d is closed", repoName, number)
		}
		if is.PR.Draft {
			return nil, fmt.Errorf("githubsim: %s#%d is a draft", repoName, number)
		}
		now := s.now()
		is.State, is.ClosedAt, is.ClosedBy = "closed", now, u
		is.PR.Merged, is.PR.MergedAt, is.PR.MergedBy = true, now, u
		is.PR.MergeSHA = fakeSHA(fmt.Sprint("merge", r.FullName(), is.Number))
		r.HeadSHA = is.PR.MergeSHA
		r.contributors[lower(is.User.Login)] = true
		return obj{"action": "closed"}, nil
	})
}

// ReopenPullRequest reopens a closed, unmerged pull request
// (pull_request.reopened).
func (s *Sim) ReopenPullRequest(actor, repoName string, number int) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", reopen(repoName, number))
}

// ReadyForReview marks a draft ready (pull_request.ready_for_review).
func (s *Sim) ReadyForReview(actor, repoName string, number int) (Delivery, error) {
	return s.setDraft(actor, repoName, number, false)
}

// ConvertToDraft turns a pull request back into a draft
// (pull_request.converted_to_draft).
func (s *Sim) ConvertToDraft(actor, repoName string, number int) (Delivery, error) {
	return s.setDraft(actor, repoName, number, true)
}

func (s *Sim) setDraft(actor, repoName string, number int, draft bool) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", func(_ *repo, is *issue, _ *user) (obj, error) {
		if is.PR.Draft == draft {
			return nil, nil
		}
		is.PR.Draft = draft
		if draft {
			return obj{"action": "converted_to_draft"}, nil
		}
		return obj{"action": "ready_for_review"}, nil
	})
}

// AssignPullRequest adds an assignee (pull_request.assigned).
func (s *Sim) AssignPullRequest(actor, repoName string, number int, assignee string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", s.assign(assignee, true))
}

// UnassignPullRequest removes an assignee (pull_request.unassigned).
func (s *Sim) UnassignPullRequest(actor, repoName string, number int, assignee string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", s.assign(assignee, false))
}

// LabelPullRequest adds a label (pull_request.labeled).
func (s *Sim) LabelPullRequest(actor, repoName string, number int, name string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", s.labelChange(name, true))
}

// UnlabelPullRequest removes a label (pull_request.unlabeled).
func (s *Sim) UnlabelPullRequest(actor, repoName string, number int, name string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", s.labelChange(name, false))
}

// RequestReview asks reviewer for a review (pull_request.review_requested).
func (s *Sim) RequestReview(actor, repoName string, number int, reviewer string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", func(_ *repo, is *issue, _ *user) (obj, error) {
		rv := s.userLocked(reviewer, "")
		for _, x := range is.PR.RequestedReviewers {
			if x == rv {
				return nil, nil
			}
		}
		is.PR.RequestedReviewers = append(is.PR.RequestedReviewers, rv)
		return obj{"action": "review_requested", "requested_reviewer": s.userJSON(rv)}, nil
	})
}

// SynchronizePullRequest pushes a commit to the head branch
// (pull_request.synchronize with before and after).
func (s *Sim) SynchronizePullRequest(actor, repoName string, number int) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "pull_request", func(r *repo, is *issue, _ *user) (obj, error) {
		before := is.PR.HeadSHA
		is.PR.HeadSHA = fakeSHA(fmt.Sprint(before, "sync", s.now().UnixNano()))
		return obj{"action": "synchronize", "before": before, "after": is.PR.HeadSHA}, nil
	})
}

// ReviewInput is a review submitted on a pull request.
type ReviewInput struct {
	// State is APPROVED, CHANGES_REQUESTED or COMMENTED (the default).
	State    string
	Body     string
	Comments []ReviewCommentInput
}

// ReviewCommentInput is a comment on a line of a pull request's diff.
type ReviewCommentInput struct {
	Path string
	Line int
	Body string
}

func (s *Sim) pullLocked(repoName string, number int) (*repo, *issue, error) {
	r, is, err := s.issueLocked(repoName, number)
	if err == nil && is.PR == nil {
		err = fmt.Errorf("githubsim: %s#%d is not a pull request", repoName, number)
	}
	return r, is, err
}

func (s *Sim) reviewEventLocked(r *repo, is *issue, u *user, action string, rv *review, extra obj) func() (Delivery, error) {
	p := obj{"action": action, "review": s.reviewJSONWebhook(r, is, rv), "pull_request": s.pullJSON(r, is)}
	for k, v := range extra {
		p[k] = v
	}
	return s.emitLocked("pull_request_review", r, u, p)
}

func (s *Sim) reviewCommentEventLocked(r *repo, is *issue, u *user, action string, c *reviewComment, extra obj) func() (Delivery, error) {
	p := obj{"action": action, "comment": s.reviewCommentJSON(r, is, c), "pull_request": s.pullJSON(r, is)}
	for k, v := range extra {
		p[k] = v
	}
	return s.emitLocked("pull_request_review_comment", r, u, p)
}

// SubmitReview submits a review. GitHub sends pull_request_review.submitted
// and then pull_request_review_comment.created for each of its comments;
// SubmitReview returns the review's id and the review's delivery (the
// others are in Deliveries).
func (s *Sim) SubmitReview(actor, repoName string, number int, in ReviewInput) (int64, Delivery, error) {
	s.mu.Lock()
	r, is, err := s.pullLocked(repoName, number)
	if err != nil {
		s.mu.Unlock()
		return 0, Delivery{}, err
	}
	u := s.userLocked(actor, "")
	state := strings.ToUpper(in.State)
	switch state {
	case "":
		state = "COMMENTED"
	case "APPROVED", "CHANGES_REQUESTED", "COMMENTED":
	default:
		s.mu.Unlock()
		return 0, Delivery{}, fmt.Errorf("githubsim: review state %q is not APPROVED, CHANGES_REQUESTED or COMMENTED", in.State)
	}
	now := s.now()
	rv := &review{ID: s.nextID("review"), User: u, Body: in.Body, State: state, Assoc: s.association(r, u),
		SubmittedAt: now, CommitID: is.PR.HeadSHA}
	is.PR.reviews = append(is.PR.reviews, rv)
	var sends []func() (Delivery, error)
	var comments []*reviewComment
	for _, ci := range in.Comments {
		c := s.newReviewCommentLocked(r, is, u, rv.ID, 0, ci)
		comments = append(comments, c)
	}
	for i, rr := range is.PR.RequestedReviewers {
		if rr == u {
			is.PR.RequestedReviewers = append(is.PR.RequestedReviewers[:i:i], is.PR.RequestedReviewers[i+1:]...)
			break
		}
	}
	is.UpdatedAt = now
	sends = append(sends, s.reviewEventLocked(r, is, u, "submitted", rv, nil))
	for _, c := range comments {
		sends = append(sends, s.reviewCommentEventLocked(r, is, u, "created", c, nil))
	}
	s.mu.Unlock()
	first, err := sends[0]()
	for _, send := range sends[1:] {
		if _, e := send(); e != nil && err == nil {
			err = e
		}
	}
	return rv.ID, first, err
}

func (s *Sim) newReviewCommentLocked(r *repo, is *issue, u *user, reviewID, inReplyTo int64, ci ReviewCommentInput) *reviewComment {
	now := s.now()
	if ci.Line <= 0 {
		ci.Line = 1
	}
	c := &reviewComment{ID: s.nextID("review_comment"), ReviewID: reviewID, InReplyTo: inReplyTo, Path: ci.Path,
		Line: ci.Line, Body: ci.Body, User: u, Assoc: s.association(r, u), CommitID: is.PR.HeadSHA,
		CreatedAt: now, UpdatedAt: now, repo: r, issue: is}
	is.PR.reviewComments = append(is.PR.reviewComments, c)
	s.reviewCmts[c.ID] = c
	return c
}

// AddReviewComment adds a single comment on a line of the diff. Like GitHub,
// it creates a COMMENTED review holding it and sends
// pull_request_review.submitted, then pull_request_review_comment.created;
// it returns the comment's id and that last delivery. inReplyTo, when not
// 0, makes it a reply in an existing thread (no review event then).
func (s *Sim) AddReviewComment(actor, repoName string, number int, inReplyTo int64, ci ReviewCommentInput) (int64, Delivery, error) {
	s.mu.Lock()
	r, is, err := s.pullLocked(repoName, number)
	if err != nil {
		s.mu.Unlock()
		return 0, Delivery{}, err
	}
	u := s.userLocked(actor, "")
	var sends []func() (Delivery, error)
	if inReplyTo != 0 {
		var parent *reviewComment
		for _, c := range is.PR.reviewComments {
			if c.ID == inReplyTo && !c.Deleted {
				parent = c
			}
		}
		if parent == nil {
			s.mu.Unlock()
			return 0, Delivery{}, fmt.Errorf("githubsim: no review comment %d on %s#%d", inReplyTo, repoName, number)
		}
		ci.Path, ci.Line = parent.Path, parent.Line
	}
	rv := &review{ID: s.nextID("review"), User: u, State: "COMMENTED", Assoc: s.association(r, u),
		SubmittedAt: s.now(), CommitID: is.PR.HeadSHA}
	is.PR.reviews = append(is.PR.reviews, rv)
	c := s.newReviewCommentLocked(r, is, u, rv.ID, inReplyTo, ci)
	if inReplyTo == 0 {
		sends = append(sends, s.reviewEventLocked(r, is, u, "submitted", rv, nil))
	}
	sends = append(sends, s.reviewCommentEventLocked(r, is, u, "created", c, nil))
	s.mu.Unlock()
	var last Delivery
	for _, send := range sends {
		d, e := send()
		last = d
		if e != nil {
			return c.ID, d, e
		}
	}
	return c.ID, last, nil
}

func (s *Sim) reviewCommentLocked(id int64) (*repo, *issue, *reviewComment, bool) {
	c := s.reviewCmts[id]
	if c == nil || c.Deleted {
		return nil, nil, nil, false
	}
	return c.repo, c.issue, c, true
}

// EditReviewComment changes a review comment
// (pull_request_review_comment.edited with changes.body.from).
func (s *Sim) EditReviewComment(actor string, commentID int64, body string) (Delivery, error) {
	s.mu.Lock()
	r, is, c, ok := s.reviewCommentLocked(commentID)
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: no review comment %d", commentID)
	}
	old := c.Body
	c.Body, c.UpdatedAt = body, s.now()
	send := s.reviewCommentEventLocked(r, is, s.userLocked(actor, ""), "edited", c, obj{"changes": obj{"body": obj{"from": old}}})
	s.mu.Unlock()
	return send()
}

// DeleteReviewComment deletes a review comment
// (pull_request_review_comment.deleted).
func (s *Sim) DeleteReviewComment(actor string, commentID int64) (Delivery, error) {
	s.mu.Lock()
	r, is, c, ok := s.reviewCommentLocked(commentID)
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: no review comment %d", commentID)
	}
	c.Deleted = true
	send := s.reviewCommentEventLocked(r, is, s.userLocked(actor, ""), "deleted", c, nil)
	s.mu.Unlock()
	return send()
}

func (s *Sim) reviewLocked(repoName string, number int, reviewID int64) (*repo, *issue, *review, error) {
	r, is, err := s.pullLocked(repoName, number)
	if err != nil {
		return nil, nil, nil, err
	}
	for _, rv := range is.PR.reviews {
		if rv.ID == reviewID {
			return r, is, rv, nil
		}
	}
	return nil, nil, nil, fmt.Errorf("githubsim: no review %d on %s#%d", reviewID, repoName, number)
}

// EditReview changes a review's body (pull_request_review.edited with
// changes.body.from).
func (s *Sim) EditReview(actor, repoName string, number int, reviewID int64, body string) (Delivery, error) {
	s.mu.Lock()
	r, is, rv, err := s.reviewLocked(repoName, number, reviewID)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	old := rv.Body
	rv.Body = body
	send := s.reviewEventLocked(r, is, s.userLocked(actor, ""), "edited", rv, obj{"changes": obj{"body": obj{"from": old}}})
	s.mu.Unlock()
	return send()
}

// DismissReview dismisses a review (pull_request_review.dismissed; its state
// becomes DISMISSED).
func (s *Sim) DismissReview(actor, repoName string, number int, reviewID int64) (Delivery, error) {
	s.mu.Lock()
	r, is, rv, err := s.reviewLocked(repoName, number, reviewID)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	rv.State = "DISMISSED"
	send := s.reviewEventLocked(r, is, s.userLocked(actor, ""), "dismissed", rv, nil)
	s.mu.Unlock()
	return send()
}

// ReviewComment is a pull request review comment as it stands.
type ReviewComment struct {
	ID                int64
	ReviewID          int64
	Path              string
	Body              string
	User              string
	AuthorAssociation string
}

// Review is a submitted review as GitHub shows it.
type Review struct {
	ID                int64
	User              string
	Body              string
	State             string
	AuthorAssociation string
}

// Reviews returns the reviews of a pull request, oldest first.
func (s *Sim) Reviews(repoName string, number int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, is, err := s.issueLocked(repoName, number)
	if err != nil || is.PR == nil {
		return nil
	}
	var out []Review
	for _, rv := range is.PR.reviews {
		out = append(out, Review{ID: rv.ID, User: rv.User.Login, Body: rv.Body, State: rv.State, AuthorAssociation: rv.Assoc})
	}
	return out
}

// ReviewComments returns the live review comments of a pull request.
func (s *Sim) ReviewComments(repoName string, number int) []ReviewComment {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, is, err := s.pullLocked(repoName, number)
	if err != nil {
		return nil
	}
	var out []ReviewComment
	for _, c := range is.PR.reviewComments {
		if !c.Deleted {
			out = append(out, ReviewComment{ID: c.ID, ReviewID: c.ReviewID, Path: c.Path, Body: c.Body,
				User: c.User.Login, AuthorAssociation: c.Assoc})
		}
	}
	return out
}

// ResolveReviewThread resolves (resolved=true) or unresolves the review
// thread that starts with review comment rootID
// (pull_request_review_thread.resolved or .unresolved, with the thread's
// comments).
func (s *Sim) ResolveReviewThread(actor string, rootID int64, resolved bool) (Delivery, error) {
	s.mu.Lock()
	r, is, root, ok := s.reviewCommentLocked(rootID)
	if !ok || root.InReplyTo != 0 {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: no review thread starts with comment %d", rootID)
	}
	comments := []any{}
	for _, c := range is.PR.reviewComments {
		if !c.Deleted && (c.ID == rootID || c.InReplyTo == rootID) {
			comments = append(comments, s.reviewCommentJSON(r, is, c))
		}
	}
	action := "unresolved"
	if resolved {
		action = "resolved"
	}
	p := obj{"action": action, "pull_request": s.pullJSON(r, is),
		"thread": obj{"node_id": nodeID("PRRT_", rootID), "comments": comments}}
	send := s.emitLocked("pull_request_review_thread", r, s.userLocked(actor, ""), p)
	s.mu.Unlock()
	return send()
}
