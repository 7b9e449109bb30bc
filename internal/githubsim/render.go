package githubsim

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// obj is a JSON object as GitHub writes it. The Sim renders GitHub's objects
// as maps rather than go-github structs because go-github's omitempty drops
// the explicit nulls, empty arrays and integer timestamps GitHub sends; the
// tests decode every shape back into the go-github types the App uses.
type obj = map[string]any

func ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(time.RFC3339)
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func (s *Sim) web() string { return s.opts.WebURL }

func (s *Sim) userJSON(u *user) any {
	if u == nil {
		return nil
	}
	api := s.apiURL + "/users/" + url.PathEscape(u.Login)
	html := s.web() + "/" + u.Login
	if u.Type == "Bot" {
		html = s.web() + "/apps/" + strings.TrimSuffix(u.Login, "[bot]")
	}
	kind := "U_"
	if u.Type == "Bot" {
		kind = "BOT_"
	} else if u.Type == "Organization" {
		kind = "O_"
	}
	return obj{
		"login":               u.Login,
		"id":                  u.ID,
		"node_id":             nodeID(kind, u.ID),
		"avatar_url":          fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", u.ID),
		"gravatar_id":         "",
		"url":                 api,
		"html_url":            html,
		"followers_url":       api + "/followers",
		"following_url":       api + "/following{/other_user}",
		"gists_url":           api + "/gists{/gist_id}",
		"starred_url":         api + "/starred{/owner}{/repo}",
		"subscriptions_url":   api + "/subscriptions",
		"organizations_url":   api + "/orgs",
		"repos_url":           api + "/repos",
		"events_url":          api + "/events{/privacy}",
		"received_events_url": api + "/received_events",
		"type":                u.Type,
		"user_view_type":      "public",
		"site_admin":          false,
	}
}

func (s *Sim) usersJSON(us []*user) []any {
	out := []any{}
	for _, u := range us {
		out = append(out, s.userJSON(u))
	}
	return out
}

func (s *Sim) orgJSON(o *user) any {
	api := s.apiURL + "/orgs/" + o.Login
	return obj{
		"login":              o.Login,
		"id":                 o.ID,
		"node_id":            nodeID("O_", o.ID),
		"url":                api,
		"repos_url":          api + "/repos",
		"events_url":         api + "/events",
		"hooks_url":          api + "/hooks",
		"issues_url":         api + "/issues",
		"members_url":        api + "/members{/member}",
		"public_members_url": api + "/public_members{/member}",
		"avatar_url":         fmt.Sprintf("https://avatars.githubusercontent.com/u/%d?v=4", o.ID),
		"description":        nil,
	}
}

var repoURLs = []struct{ key, suffix string }{
	{"forks_url", "/forks"}, {"keys_url", "/keys{/key_id}"},
	{"collaborators_url", "/collaborators{/collaborator}"}, {"teams_url", "/teams"},
	{"hooks_url", "/hooks"}, {"issue_events_url", "/issues/events{/number}"},
	{"events_url", "/events"}, {"assignees_url", "/assignees{/user}"},
	{"branches_url", "/branches{/branch}"}, {"tags_url", "/tags"},
	{"blobs_url", "/git/blobs{/sha}"}, {"git_tags_url", "/git/tags{/sha}"},
	{"git_refs_url", "/git/refs{/sha}"}, {"trees_url", "/git/trees{/sha}"},
	{"statuses_url", "/statuses/{sha}"}, {"languages_url", "/languages"},
	{"stargazers_url", "/stargazers"}, {"contributors_url", "/contributors"},
	{"subscribers_url", "/subscribers"}, {"subscription_url", "/subscription"},
	{"commits_url", "/commits{/sha}"}, {"git_commits_url", "/git/commits{/sha}"},
	{"comments_url", "/comments{/number}"}, {"issue_comment_url", "/issues/comments{/number}"},
	{"contents_url", "/contents/{+path}"}, {"compare_url", "/compare/{base}...{head}"},
	{"merges_url", "/merges"}, {"archive_url", "/{archive_format}{/ref}"},
	{"downloads_url", "/downloads"}, {"issues_url", "/issues{/number}"},
	{"pulls_url", "/pulls{/number}"}, {"milestones_url", "/milestones{/number}"},
	{"notifications_url", "/notifications{?since,all,participating}"},
	{"labels_url", "/labels{/name}"}, {"releases_url", "/releases{/id}"},
	{"deployments_url", "/deployments"},
}

// repoJSON renders a repository. pushStyle renders it as push events do,
// with created_at and pushed_at as Unix seconds.
func (s *Sim) repoJSON(r *repo, pushStyle bool) obj {
	api := s.apiURL + "/repos/" + r.FullName()
	html := s.web() + "/" + r.FullName()
	host := strings.TrimPrefix(strings.TrimPrefix(s.web(), "https://"), "http://")
	open := 0
	for _, is := range r.issues {
		if is.State == "open" && !is.Deleted && is.MovedTo == "" {
			open++
		}
	}
	visibility := "public"
	if r.Private {
		visibility = "private"
	}
	m := obj{
		"id":                          r.ID,
		"node_id":                     nodeID("R_", r.ID),
		"name":                        r.Name,
		"full_name":                   r.FullName(),
		"private":                     r.Private,
		"owner":                       s.userJSON(r.Owner),
		"html_url":                    html,
		"description":                 nullIfEmpty(r.Description),
		"fork":                        false,
		"url":                         api,
		"created_at":                  ts(r.CreatedAt),
		"updated_at":                  ts(r.UpdatedAt),
		"pushed_at":                   ts(r.PushedAt),
		"git_url":                     "git://" + host + "/" + r.FullName() + ".git",
		"ssh_url":                     "git@" + host + ":" + r.FullName() + ".git",
		"clone_url":                   html + ".git",
		"svn_url":                     html,
		"homepage":                    nil,
		"size":                        len(r.files),
		"stargazers_count":            0,
		"watchers_count":              0,
		"language":                    nil,
		"has_issues":                  true,
		"has_projects":                true,
		"has_downloads":               true,
		"has_wiki":                    true,
		"has_pages":                   false,
		"has_discussions":             false,
		"forks_count":                 0,
		"mirror_url":                  nil,
		"archived":                    false,
		"disabled":                    false,
		"open_issues_count":           open,
		"license":                     nil,
		"allow_forking":               true,
		"is_template":                 false,
		"web_commit_signoff_required": false,
		"topics":                      []any{},
		"visibility":                  visibility,
		"forks":                       0,
		"open_issues":                 open,
		"watchers":                    0,
		"default_branch":              r.DefaultBranch,
		"custom_properties":           obj{},
	}
	for _, u := range repoURLs {
		m[u.key] = api + u.suffix
	}
	if pushStyle {
		m["created_at"] = r.CreatedAt.Unix()
		m["pushed_at"] = r.PushedAt.Unix()
		m["stargazers"] = 0
		m["master_branch"] = r.DefaultBranch
		if owner, ok := m["owner"].(obj); ok {
			owner["name"] = r.Owner.Login
			owner["email"] = nil
		}
		if o, ok := s.orgs[strings.ToLower(r.Owner.Login)]; ok {
			m["organization"] = o.user.Login
		}
	}
	return m
}

func (s *Sim) labelJSON(r *repo, l *label) obj {
	return obj{
		"id":          l.ID,
		"node_id":     nodeID("LA_", l.ID),
		"url":         s.apiURL + "/repos/" + r.FullName() + "/labels/" + url.PathEscape(l.Name),
		"name":        l.Name,
		"color":       l.Color,
		"default":     false,
		"description": "",
	}
}

func reactionsJSON(u string) obj {
	return obj{"url": u + "/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0,
		"hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0}
}

func (s *Sim) issueJSON(r *repo, is *issue) obj {
	api := s.apiURL + "/repos/" + r.FullName() + "/issues/" + fmt.Sprint(is.Number)
	kind := "issues"
	if is.PR != nil {
		kind = "pull"
	}
	labels := []any{}
	for _, l := range is.Labels {
		labels = append(labels, s.labelJSON(r, l))
	}
	var assignee any
	if len(is.Assignees) > 0 {
		assignee = s.userJSON(is.Assignees[0])
	}
	ncomments := 0
	for _, c := range is.comments {
		if !c.Deleted {
			ncomments++
		}
	}
	m := obj{
		"url":                      api,
		"repository_url":           s.apiURL + "/repos/" + r.FullName(),
		"labels_url":               api + "/labels{/name}",
		"comments_url":             api + "/comments",
		"events_url":               api + "/events",
		"html_url":                 fmt.Sprintf("%s/%s/%s/%d", s.web(), r.FullName(), kind, is.Number),
		"id":                       is.ID,
		"node_id":                  nodeID("I_", is.ID),
		"number":                   is.Number,
		"title":                    is.Title,
		"user":                     s.userJSON(is.User),
		"labels":                   labels,
		"state":                    is.State,
		"locked":                   is.Locked,
		"assignee":                 assignee,
		"assignees":                s.usersJSON(is.Assignees),
		"milestone":                nil,
		"comments":                 ncomments,
		"created_at":               ts(is.CreatedAt),
		"updated_at":               ts(is.UpdatedAt),
		"closed_at":                ts(is.ClosedAt),
		"author_association":       s.association(r, is.User),
		"active_lock_reason":       nil,
		"sub_issues_summary":       obj{"total": 0, "completed": 0, "percent_completed": 0},
		"body":                     nullIfEmpty(is.Body),
		"closed_by":                s.userJSON(is.ClosedBy),
		"reactions":                reactionsJSON(api),
		"timeline_url":             api + "/timeline",
		"performed_via_github_app": nil,
		"state_reason":             nullIfEmpty(is.StateReason),
	}
	if is.PR != nil {
		papi := s.apiURL + "/repos/" + r.FullName() + "/pulls/" + fmt.Sprint(is.Number)
		phtml := fmt.Sprintf("%s/%s/pull/%d", s.web(), r.FullName(), is.Number)
		m["draft"] = is.PR.Draft
		m["pull_request"] = obj{"url": papi, "html_url": phtml, "diff_url": phtml + ".diff",
			"patch_url": phtml + ".patch", "merged_at": ts(is.PR.MergedAt)}
	} else {
		m["draft"] = false
	}
	return m
}

func (s *Sim) commentJSON(r *repo, is *issue, c *comment) obj {
	api := fmt.Sprintf("%s/repos/%s/issues/comments/%d", s.apiURL, r.FullName(), c.ID)
	kind := "issues"
	if is.PR != nil {
		kind = "pull"
	}
	var app any
	if a := s.appOfBot(c.User); a != nil {
		app = s.appJSON(a)
	}
	return obj{
		"url":                      api,
		"html_url":                 fmt.Sprintf("%s/%s/%s/%d#issuecomment-%d", s.web(), r.FullName(), kind, is.Number, c.ID),
		"issue_url":                fmt.Sprintf("%s/repos/%s/issues/%d", s.apiURL, r.FullName(), is.Number),
		"id":                       c.ID,
		"node_id":                  nodeID("IC_", c.ID),
		"user":                     s.userJSON(c.User),
		"created_at":               ts(c.CreatedAt),
		"updated_at":               ts(c.UpdatedAt),
		"author_association":       c.Assoc,
		"body":                     c.Body,
		"reactions":                reactionsJSON(api),
		"performed_via_github_app": app,
	}
}

func (s *Sim) appJSON(a *app) obj {
	slug := a.Slug
	return obj{
		"id":           a.ID,
		"slug":         slug,
		"node_id":      nodeID("A_", a.ID),
		"owner":        nil,
		"name":         slug,
		"description":  "",
		"external_url": s.web() + "/apps/" + slug,
		"html_url":     s.web() + "/apps/" + slug,
		"created_at":   "2024-01-01T00:00:00Z",
		"updated_at":   "2024-01-01T00:00:00Z",
		"permissions":  appPermissions(),
		"events":       appEvents(),
	}
}

func appPermissions() obj {
	out := obj{}
	for k, v := range appPermissionsMap() {
		out[k] = v
	}
	return out
}

// appPermissionsMap is what the simulated App asks for: what ownershipbot's
// manifest asks for.
func appPermissionsMap() map[string]string {
	return map[string]string{"issues": "write", "pull_requests": "write", "metadata": "read", "members": "read", "contents": "read", "checks": "write"}
}

func permissionsJSON(p map[string]string) obj {
	out := obj{}
	for k, v := range p {
		out[k] = v
	}
	return out
}

func appEvents() []any {
	return []any{"issues", "issue_comment", "pull_request", "pull_request_review",
		"pull_request_review_comment", "pull_request_review_thread", "push"}
}

func (s *Sim) installationRef(in *installation) obj {
	if in == nil {
		return nil
	}
	return obj{"id": in.ID, "node_id": nodeID("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", in.ID)}
}

// installationJSON renders an installation; GitHub writes its timestamps as
// Unix seconds in some events (created, deleted, installation_repositories)
// and as strings in others (suspend, unsuspend).
func (s *Sim) installationJSON(in *installation, stringTimes bool) obj {
	var suspendedAt any
	if in.Suspended {
		suspendedAt = ts(s.now())
	}
	m := obj{
		"id":                        in.ID,
		"node_id":                   nodeID("MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9u", in.ID),
		"client_id":                 fmt.Sprintf("Iv1.%016x", fnv64(in.app.Slug)),
		"account":                   s.userJSON(in.Account),
		"repository_selection":      in.Selection,
		"access_tokens_url":         fmt.Sprintf("%s/app/installations/%d/access_tokens", s.apiURL, in.ID),
		"repositories_url":          s.apiURL + "/installation/repositories",
		"html_url":                  fmt.Sprintf("%s/organizations/%s/settings/installations/%d", s.web(), in.Account.Login, in.ID),
		"app_id":                    in.app.ID,
		"app_slug":                  in.app.Slug,
		"target_id":                 in.Account.ID,
		"target_type":               in.Account.Type,
		"permissions":               permissionsJSON(in.granted()),
		"events":                    appEvents(),
		"created_at":                in.CreatedAt.Unix(),
		"updated_at":                in.CreatedAt.Unix(),
		"single_file_name":          nil,
		"has_multiple_single_files": false,
		"single_file_paths":         []any{},
		"suspended_by":              nil,
		"suspended_at":              suspendedAt,
	}
	if stringTimes {
		m["created_at"], m["updated_at"] = ts(in.CreatedAt), ts(in.CreatedAt)
	}
	return m
}

func (s *Sim) branchJSON(r *repo, ref, sha string) obj {
	return obj{
		"label": r.Owner.Login + ":" + ref,
		"ref":   ref,
		"sha":   sha,
		"user":  s.userJSON(r.Owner),
		"repo":  s.repoJSON(r, false),
	}
}

func (s *Sim) pullJSON(r *repo, is *issue) obj {
	p := is.PR
	api := fmt.Sprintf("%s/repos/%s/pulls/%d", s.apiURL, r.FullName(), is.Number)
	iapi := fmt.Sprintf("%s/repos/%s/issues/%d", s.apiURL, r.FullName(), is.Number)
	html := fmt.Sprintf("%s/%s/pull/%d", s.web(), r.FullName(), is.Number)
	labels := []any{}
	for _, l := range is.Labels {
		labels = append(labels, s.labelJSON(r, l))
	}
	var assignee any
	if len(is.Assignees) > 0 {
		assignee = s.userJSON(is.Assignees[0])
	}
	ncomments, nreview := 0, 0
	for _, c := range is.comments {
		if !c.Deleted {
			ncomments++
		}
	}
	for _, c := range p.reviewComments {
		if !c.Deleted {
			nreview++
		}
	}
	state := is.State
	var mergeable any
	mergeableState := "unknown"
	if state == "open" {
		mergeable = true
		mergeableState = "clean"
		if p.Draft {
			mergeableState = "draft"
		}
	}
	return obj{
		"url":                   api,
		"id":                    is.ID,
		"node_id":               nodeID("PR_", is.ID),
		"html_url":              html,
		"diff_url":              html + ".diff",
		"patch_url":             html + ".patch",
		"issue_url":             iapi,
		"number":                is.Number,
		"state":                 state,
		"locked":                is.Locked,
		"title":                 is.Title,
		"user":                  s.userJSON(is.User),
		"body":                  nullIfEmpty(is.Body),
		"created_at":            ts(is.CreatedAt),
		"updated_at":            ts(is.UpdatedAt),
		"closed_at":             ts(is.ClosedAt),
		"merged_at":             ts(p.MergedAt),
		"merge_commit_sha":      nullIfEmpty(p.MergeSHA),
		"assignee":              assignee,
		"assignees":             s.usersJSON(is.Assignees),
		"requested_reviewers":   s.usersJSON(p.RequestedReviewers),
		"requested_teams":       []any{},
		"labels":                labels,
		"milestone":             nil,
		"draft":                 p.Draft,
		"commits_url":           api + "/commits",
		"review_comments_url":   api + "/comments",
		"review_comment_url":    fmt.Sprintf("%s/repos/%s/pulls/comments{/number}", s.apiURL, r.FullName()),
		"comments_url":          iapi + "/comments",
		"statuses_url":          fmt.Sprintf("%s/repos/%s/statuses/%s", s.apiURL, r.FullName(), p.HeadSHA),
		"head":                  s.branchJSON(r, p.HeadRef, p.HeadSHA),
		"base":                  s.branchJSON(r, p.BaseRef, p.BaseSHA),
		"_links":                pullLinks(api, iapi, html, fmt.Sprintf("%s/repos/%s/statuses/%s", s.apiURL, r.FullName(), p.HeadSHA)),
		"author_association":    s.association(r, is.User),
		"auto_merge":            nil,
		"active_lock_reason":    nil,
		"merged":                p.Merged,
		"mergeable":             mergeable,
		"rebaseable":            mergeable,
		"mergeable_state":       mergeableState,
		"merged_by":             s.userJSON(p.MergedBy),
		"comments":              ncomments,
		"review_comments":       nreview,
		"maintainer_can_modify": false,
		"commits":               1,
		"additions":             10,
		"deletions":             2,
		"changed_files":         1,
	}
}

func href(u string) obj { return obj{"href": u} }

func pullLinks(api, iapi, html, statuses string) obj {
	return obj{
		"self": href(api), "html": href(html), "issue": href(iapi),
		"comments": href(iapi + "/comments"), "review_comments": href(api + "/comments"),
		"review_comment": href(api[:strings.LastIndex(api, "/")] + "/comments{/number}"),
		"commits":        href(api + "/commits"), "statuses": href(statuses),
	}
}

func (s *Sim) reviewJSON(r *repo, is *issue, rv *review) obj {
	papi := fmt.Sprintf("%s/repos/%s/pulls/%d", s.apiURL, r.FullName(), is.Number)
	html := fmt.Sprintf("%s/%s/pull/%d#pullrequestreview-%d", s.web(), r.FullName(), is.Number, rv.ID)
	return obj{
		"id":                 rv.ID,
		"node_id":            nodeID("PRR_", rv.ID),
		"user":               s.userJSON(rv.User),
		"body":               nullIfEmpty(rv.Body),
		"commit_id":          rv.CommitID,
		"submitted_at":       ts(rv.SubmittedAt),
		"state":              rv.State,
		"html_url":           html,
		"pull_request_url":   papi,
		"author_association": rv.Assoc,
		"_links":             obj{"html": href(html), "pull_request": href(papi)},
	}
}

// reviewJSONWebhook renders a review as webhooks do: the state in lower case.
func (s *Sim) reviewJSONWebhook(r *repo, is *issue, rv *review) obj {
	m := s.reviewJSON(r, is, rv)
	m["state"] = strings.ToLower(rv.State)
	return m
}

func (s *Sim) reviewCommentJSON(r *repo, is *issue, c *reviewComment) obj {
	api := fmt.Sprintf("%s/repos/%s/pulls/comments/%d", s.apiURL, r.FullName(), c.ID)
	papi := fmt.Sprintf("%s/repos/%s/pulls/%d", s.apiURL, r.FullName(), is.Number)
	html := fmt.Sprintf("%s/%s/pull/%d#discussion_r%d", s.web(), r.FullName(), is.Number, c.ID)
	m := obj{
		"url":                    api,
		"pull_request_review_id": c.ReviewID,
		"id":                     c.ID,
		"node_id":                nodeID("PRRC_", c.ID),
		"diff_hunk":              fmt.Sprintf("@@ -1,3 +1,%d @@", c.Line),
		"path":                   c.Path,
		"position":               c.Line,
		"original_position":      c.Line,
		"commit_id":              c.CommitID,
		"original_commit_id":     c.CommitID,
		"user":                   s.userJSON(c.User),
		"body":                   c.Body,
		"created_at":             ts(c.CreatedAt),
		"updated_at":             ts(c.UpdatedAt),
		"html_url":               html,
		"pull_request_url":       papi,
		"author_association":     c.Assoc,
		"_links":                 obj{"self": href(api), "html": href(html), "pull_request": href(papi)},
		"reactions":              reactionsJSON(api),
		"start_line":             nil,
		"original_start_line":    nil,
		"start_side":             nil,
		"line":                   c.Line,
		"original_line":          c.Line,
		"side":                   "RIGHT",
		"subject_type":           "line",
	}
	if c.InReplyTo != 0 {
		m["in_reply_to_id"] = c.InReplyTo
	}
	return m
}
