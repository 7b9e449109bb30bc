package githubsim

import (
	"fmt"
	"maps"
	"sort"
	"strings"
)

// Every method in this file is a person acting on GitHub: it changes the
// world and sends the webhook GitHub would send, synchronously. The returned
// Delivery carries the delivery id and the status the App answered; the error
// is about the action itself (unknown repository, issue, ...) or about an App
// that could not be reached. With no webhook set, or when no installation
// reaches the repository, nothing is sent and the Delivery is zero.

func lower(s string) string { return strings.ToLower(s) }

// ---- installations ----

// InstallApp installs the App on account (an organization, created if
// unknown) and sends installation.created. With no repos the installation
// covers all of the account's repositories ("all"), otherwise only those
// ("selected"). It returns the installation id.
func (s *Sim) InstallApp(actor, account string, repos ...string) (int64, Delivery, error) {
	return s.installApp(s.app, actor, account, repos...)
}

func (s *Sim) installApp(a *app, actor, account string, repos ...string) (int64, Delivery, error) {
	s.mu.Lock()
	for _, in := range s.installations {
		if in.app == a && strings.EqualFold(in.Account.Login, account) {
			s.mu.Unlock()
			return 0, Delivery{}, fmt.Errorf("githubsim: the App is already installed on %s", account)
		}
	}
	var acct *user
	if u, ok := s.users[lower(account)]; ok && u.Type == "User" {
		acct = u
	} else {
		acct = s.orgLocked(account).user
	}
	in := &installation{ID: s.nextID("installation"), app: a, Account: acct, Selection: "all",
		repos: map[string]bool{}, CreatedAt: s.now()}
	if len(repos) > 0 {
		in.Selection = "selected"
		for _, name := range repos {
			r, err := s.repoLocked(name)
			if err != nil {
				s.mu.Unlock()
				return 0, Delivery{}, err
			}
			in.repos[lower(r.FullName())] = true
		}
	}
	s.installations[in.ID] = in
	send := s.installationEventLocked(in, "created", s.userLocked(actor, ""))
	s.mu.Unlock()
	d, err := send()
	return in.ID, d, err
}

func (s *Sim) repoRefs(rs []*repo) []any {
	out := []any{}
	for _, r := range rs {
		out = append(out, obj{"id": r.ID, "node_id": nodeID("R_", r.ID), "name": r.Name,
			"full_name": r.FullName(), "private": r.Private})
	}
	return out
}

func (s *Sim) installationEventLocked(in *installation, action string, sender *user) func() (Delivery, error) {
	p := obj{"action": action, "installation": s.installationJSON(in, action == "suspend" || action == "unsuspend")}
	if action == "created" || action == "deleted" {
		p["repositories"] = s.repoRefs(s.installationRepos(in))
	}
	if action == "created" {
		p["requester"] = nil
	}
	return s.emitLocked("installation", nil, sender, p)
}

// installationByAccount is the Sim's own App's installation on account.
func (s *Sim) installationByAccount(account string) (*installation, error) {
	for _, in := range s.installations {
		if in.app == s.app && strings.EqualFold(in.Account.Login, account) {
			return in, nil
		}
	}
	return nil, fmt.Errorf("githubsim: the App is not installed on %s", account)
}

// UninstallApp removes the App from account (installation.deleted); its
// tokens stop working.
func (s *Sim) UninstallApp(actor, account string) (Delivery, error) {
	s.mu.Lock()
	in, err := s.installationByAccount(account)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	send := s.installationEventLocked(in, "deleted", s.userLocked(actor, ""))
	delete(s.installations, in.ID)
	for k, t := range s.tokens {
		if t.installation == in.ID {
			delete(s.tokens, k)
		}
	}
	s.mu.Unlock()
	return send()
}

// SuspendApp suspends (suspend=true) or unsuspends the installation on
// account; a suspended installation gets no tokens and no webhooks.
func (s *Sim) SuspendApp(actor, account string, suspend bool) (Delivery, error) {
	s.mu.Lock()
	in, err := s.installationByAccount(account)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	action := "unsuspend"
	if suspend {
		action = "suspend"
	}
	in.Suspended = suspend
	send := s.installationEventLocked(in, action, s.userLocked(actor, ""))
	s.mu.Unlock()
	return send()
}

// AddInstallationRepositories gives the installation on account access to
// repos (installation_repositories.added); the installation becomes
// "selected".
func (s *Sim) AddInstallationRepositories(actor, account string, repos ...string) (Delivery, error) {
	return s.changeInstallationRepos(actor, account, "added", repos)
}

// RemoveInstallationRepositories takes repos away from the installation on
// account (installation_repositories.removed).
func (s *Sim) RemoveInstallationRepositories(actor, account string, repos ...string) (Delivery, error) {
	return s.changeInstallationRepos(actor, account, "removed", repos)
}

func (s *Sim) changeInstallationRepos(actor, account, action string, names []string) (Delivery, error) {
	s.mu.Lock()
	in, err := s.installationByAccount(account)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	if in.Selection == "all" {
		for _, r := range s.installationRepos(in) {
			in.repos[lower(r.FullName())] = true
		}
		in.Selection = "selected"
	}
	var changed []*repo
	for _, name := range names {
		r, err := s.repoLocked(name)
		if err != nil {
			s.mu.Unlock()
			return Delivery{}, err
		}
		changed = append(changed, r)
		in.repos[lower(r.FullName())] = action == "added"
	}
	p := obj{"action": action, "installation": s.installationJSON(in, false), "repository_selection": in.Selection,
		"repositories_added": []any{}, "repositories_removed": []any{}, "requester": nil}
	p["repositories_"+action] = s.repoRefs(changed)
	send := s.emitLocked("installation_repositories", nil, s.userLocked(actor, ""), p)
	s.mu.Unlock()
	return send()
}

// Ping sends the ping event GitHub sends when an App's webhook is set up;
// actor is the person who set it up.
func (s *Sim) Ping(actor string) (Delivery, error) {
	s.mu.Lock()
	now := ts(s.now())
	p := obj{
		"zen":     "Keep it logically awesome.",
		"hook_id": s.app.hookID,
		"hook": obj{"type": "App", "id": s.app.hookID, "name": "web", "active": true, "events": appEvents(),
			"config":     obj{"content_type": "json", "url": s.app.hookURL, "insecure_ssl": "0"},
			"updated_at": now, "created_at": now, "app_id": s.opts.AppID,
			"deliveries_url": fmt.Sprintf("%s/app/hook/deliveries", s.apiURL)},
	}
	send := s.emitLocked("ping", nil, s.userLocked(actor, ""), p)
	s.mu.Unlock()
	return send()
}

// ---- issues ----

// IssueInput is a new issue.
type IssueInput struct {
	Title     string
	Body      string
	Assignees []string
	Labels    []string
}

func (s *Sim) labelLocked(r *repo, name string) *label {
	for _, is := range r.issues {
		for _, l := range is.Labels {
			if strings.EqualFold(l.Name, name) {
				return l
			}
		}
	}
	return &label{ID: s.nextID("label"), Name: name, Color: fmt.Sprintf("%06x", fnv64(name)&0xffffff)}
}

func (s *Sim) newIssueLocked(r *repo, actor *user, title, body string, assignees, labels []string) *issue {
	r.nextNumber++
	now := s.now()
	is := &issue{ID: s.nextID("issue"), Number: r.nextNumber, Title: title, Body: body, User: actor,
		State: "open", CreatedAt: now, UpdatedAt: now}
	for _, a := range assignees {
		is.Assignees = append(is.Assignees, s.userLocked(a, ""))
	}
	for _, l := range labels {
		is.Labels = append(is.Labels, s.labelLocked(r, l))
	}
	r.issues[is.Number] = is
	return is
}

// OpenIssue opens an issue (issues.opened) and returns its number.
func (s *Sim) OpenIssue(actor, repoName string, in IssueInput) (int, Delivery, error) {
	s.mu.Lock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		s.mu.Unlock()
		return 0, Delivery{}, err
	}
	u := s.userLocked(actor, "")
	is := s.newIssueLocked(r, u, in.Title, in.Body, in.Assignees, in.Labels)
	send := s.emitLocked("issues", r, u, obj{"action": "opened", "issue": s.issueJSON(r, is)})
	s.mu.Unlock()
	d, err := send()
	return is.Number, d, err
}

// issueAction looks up an issue (not a pull request unless pulls is true),
// applies change and sends the event it returns.
func (s *Sim) issueAction(actor, repoName string, number int, event string, change func(r *repo, is *issue, u *user) (obj, error)) (Delivery, error) {
	s.mu.Lock()
	r, is, err := s.issueLocked(repoName, number)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	if event == "issues" && is.PR != nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: %s#%d is a pull request", repoName, number)
	}
	if event == "pull_request" && is.PR == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: %s#%d is not a pull request", repoName, number)
	}
	u := s.userLocked(actor, "")
	p, err := change(r, is, u)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	if p == nil {
		s.mu.Unlock()
		return Delivery{}, nil
	}
	is.UpdatedAt = s.now()
	if event == "issues" {
		p["issue"] = s.issueJSON(r, is)
	} else {
		p["number"] = is.Number
		p["pull_request"] = s.pullJSON(r, is)
	}
	send := s.emitLocked(event, r, u, p)
	s.mu.Unlock()
	return send()
}

// EditIssueTitle changes an issue's title (issues.edited with changes.title.from).
func (s *Sim) EditIssueTitle(actor, repoName string, number int, title string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", editTitle(title))
}

// EditIssueBody changes an issue's body (issues.edited with changes.body.from).
func (s *Sim) EditIssueBody(actor, repoName string, number int, body string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", editBody(body))
}

func editTitle(title string) func(*repo, *issue, *user) (obj, error) {
	return func(_ *repo, is *issue, _ *user) (obj, error) {
		old := is.Title
		is.Title = title
		return obj{"action": "edited", "changes": obj{"title": obj{"from": old}}}, nil
	}
}

func editBody(body string) func(*repo, *issue, *user) (obj, error) {
	return func(_ *repo, is *issue, _ *user) (obj, error) {
		old := is.Body
		is.Body = body
		return obj{"action": "edited", "changes": obj{"body": obj{"from": old}}}, nil
	}
}

// CloseIssue closes an issue (issues.closed); reason is "completed" (the
// default) or "not_planned".
func (s *Sim) CloseIssue(actor, repoName string, number int, reason string) (Delivery, error) {
	if reason == "" {
		reason = "completed"
	}
	return s.issueAction(actor, repoName, number, "issues", func(_ *repo, is *issue, u *user) (obj, error) {
		if is.State == "closed" {
			return nil, fmt.Errorf("githubsim: %s#%d is already closed", repoName, number)
		}
		is.State, is.StateReason, is.ClosedAt, is.ClosedBy = "closed", reason, s.now(), u
		return obj{"action": "closed"}, nil
	})
}

// ReopenIssue reopens a closed issue (issues.reopened).
func (s *Sim) ReopenIssue(actor, repoName string, number int) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", reopen(repoName, number))
}

func reopen(repoName string, number int) func(*repo, *issue, *user) (obj, error) {
	return func(_ *repo, is *issue, _ *user) (obj, error) {
		if is.State == "open" {
			return nil, fmt.Errorf("githubsim: %s#%d is open", repoName, number)
		}
		if is.PR != nil && is.PR.Merged {
			return nil, fmt.Errorf("githubsim: %s#%d is merged", repoName, number)
		}
		is.State, is.StateReason, is.ClosedBy = "open", "reopened", nil
		is.ClosedAt = zeroTime
		return obj{"action": "reopened"}, nil
	}
}

// AssignIssue adds an assignee (issues.assigned).
func (s *Sim) AssignIssue(actor, repoName string, number int, assignee string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", s.assign(assignee, true))
}

// UnassignIssue removes an assignee (issues.unassigned).
func (s *Sim) UnassignIssue(actor, repoName string, number int, assignee string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", s.assign(assignee, false))
}

func (s *Sim) assign(login string, add bool) func(*repo, *issue, *user) (obj, error) {
	return func(_ *repo, is *issue, _ *user) (obj, error) {
		a := s.userLocked(login, "")
		idx := -1
		for i, x := range is.Assignees {
			if x == a {
				idx = i
			}
		}
		if add {
			if idx >= 0 {
				return nil, nil // GitHub sends nothing when nothing changes
			}
			is.Assignees = append(is.Assignees, a)
			return obj{"action": "assigned", "assignee": s.userJSON(a)}, nil
		}
		if idx < 0 {
			return nil, nil
		}
		is.Assignees = append(is.Assignees[:idx:idx], is.Assignees[idx+1:]...)
		return obj{"action": "unassigned", "assignee": s.userJSON(a)}, nil
	}
}

// LabelIssue adds a label (issues.labeled).
func (s *Sim) LabelIssue(actor, repoName string, number int, name string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", s.labelChange(name, true))
}

// UnlabelIssue removes a label (issues.unlabeled).
func (s *Sim) UnlabelIssue(actor, repoName string, number int, name string) (Delivery, error) {
	return s.issueAction(actor, repoName, number, "issues", s.labelChange(name, false))
}

func (s *Sim) labelChange(name string, add bool) func(*repo, *issue, *user) (obj, error) {
	return func(r *repo, is *issue, _ *user) (obj, error) {
		idx := -1
		for i, l := range is.Labels {
			if strings.EqualFold(l.Name, name) {
				idx = i
			}
		}
		if add {
			if idx >= 0 {
				return nil, nil
			}
			l := s.labelLocked(r, name)
			is.Labels = append(is.Labels, l)
			return obj{"action": "labeled", "label": s.labelJSON(r, l)}, nil
		}
		if idx < 0 {
			return nil, nil
		}
		l := is.Labels[idx]
		is.Labels = append(is.Labels[:idx:idx], is.Labels[idx+1:]...)
		return obj{"action": "unlabeled", "label": s.labelJSON(r, l)}, nil
	}
}

// DeleteIssue deletes an issue (issues.deleted); the REST API then answers
// 410 Gone for it.
func (s *Sim) DeleteIssue(actor, repoName string, number int) (Delivery, error) {
	s.mu.Lock()
	r, is, err := s.issueLocked(repoName, number)
	if err != nil || is.PR != nil {
		s.mu.Unlock()
		if err == nil {
			err = fmt.Errorf("githubsim: %s#%d is a pull request", repoName, number)
		}
		return Delivery{}, err
	}
	u := s.userLocked(actor, "")
	p := obj{"action": "deleted", "issue": s.issueJSON(r, is)}
	is.Deleted = true
	for _, c := range is.comments {
		c.Deleted = true
	}
	send := s.emitLocked("issues", r, u, p)
	s.mu.Unlock()
	return send()
}

// TransferIssue moves an issue to another repository of the same owner. The
// old repository sends issues.transferred (changes.new_issue,
// changes.new_repository), then the new one issues.opened
// (changes.old_issue, changes.old_repository), as GitHub does. It returns
// the issue's new number and the transferred delivery.
func (s *Sim) TransferIssue(actor, repoName string, number int, toRepo string) (int, Delivery, error) {
	s.mu.Lock()
	r, is, err := s.issueLocked(repoName, number)
	if err == nil && is.PR != nil {
		err = fmt.Errorf("githubsim: %s#%d is a pull request", repoName, number)
	}
	var to *repo
	if err == nil {
		to, err = s.repoLocked(toRepo)
	}
	if err != nil {
		s.mu.Unlock()
		return 0, Delivery{}, err
	}
	u := s.userLocked(actor, "")
	oldJSON := s.issueJSON(r, is)
	to.nextNumber++
	moved := *is
	moved.ID = s.nextID("issue")
	moved.Number = to.nextNumber
	moved.UpdatedAt = s.now()
	to.issues[moved.Number] = &moved
	for _, c := range moved.comments {
		c.repo, c.issue = to, &moved
	}
	is.MovedTo = fmt.Sprintf("%s#%d", to.FullName(), moved.Number)
	newJSON := s.issueJSON(to, &moved)
	send1 := s.emitLocked("issues", r, u, obj{"action": "transferred", "issue": oldJSON,
		"changes": obj{"new_issue": newJSON, "new_repository": s.repoJSON(to, false)}})
	send2 := s.emitLocked("issues", to, u, obj{"action": "opened", "issue": newJSON,
		"changes": obj{"old_issue": oldJSON, "old_repository": s.repoJSON(r, false)}})
	s.mu.Unlock()
	d, err := send1()
	if err != nil {
		return moved.Number, d, err
	}
	_, err = send2()
	return moved.Number, d, err
}

// ---- issue comments (also a pull request's conversation) ----

type commentRef struct {
	repo  *repo
	issue *issue
	c     *comment
}

func (s *Sim) commentLocked(id int64) (commentRef, bool) {
	c := s.comments[id]
	if c == nil || c.Deleted || c.issue.Deleted || c.issue.MovedTo != "" {
		return commentRef{}, false
	}
	return commentRef{c.repo, c.issue, c}, true
}

// addCommentLocked appends a comment and returns the issue_comment.created
// sender.
func (s *Sim) addCommentLocked(r *repo, is *issue, u *user, body string) (*comment, func() (Delivery, error)) {
	now := s.now()
	c := &comment{ID: s.nextID("comment"), Body: body, User: u, Assoc: s.association(r, u), CreatedAt: now, UpdatedAt: now,
		repo: r, issue: is}
	is.comments = append(is.comments, c)
	s.comments[c.ID] = c
	is.UpdatedAt = now
	send := s.emitLocked("issue_comment", r, u, obj{"action": "created", "issue": s.issueJSON(r, is),
		"comment": s.commentJSON(r, is, c)})
	return c, send
}

func (s *Sim) editCommentLocked(ref commentRef, u *user, body string) func() (Delivery, error) {
	old := ref.c.Body
	ref.c.Body = body
	ref.c.UpdatedAt = s.now()
	return s.emitLocked("issue_comment", ref.repo, u, obj{"action": "edited",
		"changes": obj{"body": obj{"from": old}}, "issue": s.issueJSON(ref.repo, ref.issue),
		"comment": s.commentJSON(ref.repo, ref.issue, ref.c)})
}

func (s *Sim) deleteCommentLocked(ref commentRef, u *user) func() (Delivery, error) {
	ref.c.Deleted = true
	return s.emitLocked("issue_comment", ref.repo, u, obj{"action": "deleted",
		"issue": s.issueJSON(ref.repo, ref.issue), "comment": s.commentJSON(ref.repo, ref.issue, ref.c)})
}

// AddComment comments on an issue or pull request (issue_comment.created)
// and returns the comment id.
func (s *Sim) AddComment(actor, repoName string, number int, body string) (int64, Delivery, error) {
	s.mu.Lock()
	r, is, err := s.issueLocked(repoName, number)
	if err != nil {
		s.mu.Unlock()
		return 0, Delivery{}, err
	}
	c, send := s.addCommentLocked(r, is, s.userLocked(actor, ""), body)
	s.mu.Unlock()
	d, err := send()
	return c.ID, d, err
}

// EditComment changes a comment's body (issue_comment.edited with
// changes.body.from). Anyone may edit here; GitHub lets authors and
// maintainers.
func (s *Sim) EditComment(actor string, commentID int64, body string) (Delivery, error) {
	s.mu.Lock()
	ref, ok := s.commentLocked(commentID)
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: no comment %d", commentID)
	}
	send := s.editCommentLocked(ref, s.userLocked(actor, ""), body)
	s.mu.Unlock()
	return send()
}

// DeleteComment deletes a comment (issue_comment.deleted); the REST API then
// answers 404 for it.
func (s *Sim) DeleteComment(actor string, commentID int64) (Delivery, error) {
	s.mu.Lock()
	ref, ok := s.commentLocked(commentID)
	if !ok {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: no comment %d", commentID)
	}
	send := s.deleteCommentLocked(ref, s.userLocked(actor, ""))
	s.mu.Unlock()
	return send()
}

// ---- push ----

// FileChange is one file written or deleted by Push.
type FileChange struct {
	Path    string
	Content string
	Delete  bool
}

// Push commits changes to the default branch and sends the push event, with
// the paths under added, modified and removed.
func (s *Sim) Push(actor, repoName, message string, changes ...FileChange) (Delivery, error) {
	return s.PushToBranch(actor, repoName, "", message, changes...)
}

// PushToBranch commits changes to branch (created from the default branch
// when new; "" is the default branch) and sends the push event. The
// contents API serves each pushed commit's files by its SHA, and a branch's
// by its name.
func (s *Sim) PushToBranch(actor, repoName, branch, message string, changes ...FileChange) (Delivery, error) {
	s.mu.Lock()
	r, err := s.repoLocked(repoName)
	if err != nil {
		s.mu.Unlock()
		return Delivery{}, err
	}
	if branch == "" {
		branch = r.DefaultBranch
	}
	u := s.userLocked(actor, "")
	files, before, created := r.files, r.HeadSHA, false
	if branch != r.DefaultBranch {
		if head, ok := r.branches[branch]; ok {
			files, before = maps.Clone(r.commits[head]), head
		} else {
			files, before, created = maps.Clone(r.files), strings.Repeat("0", 40), true
		}
	}
	added, modified, removed := []any{}, []any{}, []any{}
	for _, c := range changes {
		p := strings.Trim(c.Path, "/")
		_, existed := files[p]
		switch {
		case c.Delete:
			if existed {
				delete(files, p)
				removed = append(removed, p)
			}
		case existed:
			files[p] = c.Content
			modified = append(modified, p)
		default:
			files[p] = c.Content
			added = append(added, p)
		}
	}
	now := s.now()
	after := fakeSHA(fmt.Sprint(r.FullName(), branch, before, message, now.UnixNano()))
	r.commits[after] = maps.Clone(files)
	if branch == r.DefaultBranch {
		r.HeadSHA = after
		r.PushedAt, r.UpdatedAt = now, now
	} else {
		r.branches[branch] = after
	}
	email := fmt.Sprintf("%d+%s@users.noreply.github.com", u.ID, u.Login)
	person := obj{"name": u.Login, "email": email, "username": u.Login}
	commit := obj{
		"id": after, "tree_id": fakeSHA("tree" + after), "distinct": true, "message": message,
		"timestamp": ts(now), "url": s.web() + "/" + r.FullName() + "/commit/" + after,
		"author": person, "committer": person, "added": added, "removed": removed, "modified": modified,
	}
	p := obj{
		"ref": "refs/heads/" + branch, "before": before, "after": after,
		"created": created, "deleted": false, "forced": false, "base_ref": nil,
		"compare":     fmt.Sprintf("%s/%s/compare/%s...%s", s.web(), r.FullName(), before[:12], after[:12]),
		"commits":     []any{commit},
		"head_commit": commit,
		"pusher":      obj{"name": u.Login, "email": email},
	}
	send := s.emitLocked("push", r, u, p)
	s.mu.Unlock()
	return send()
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
