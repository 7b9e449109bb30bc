package githubsim

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
)

// checkJWT authenticates the App: an RS256 JWT signed with the App's key,
// issuer the App id, not expired, at most 10 minutes long.
func (s *Sim) checkJWT(c *reqCtx) bool {
	scheme, value := credential(c.r)
	if scheme != "bearer" || value == "" {
		s.writeError(c, http.StatusUnauthorized, "A JSON web token could not be decoded")
		return false
	}
	claims := jwt.MapClaims{}
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"RS256"}), jwt.WithoutClaimsValidation())
	// The issuer names the App whose key must have signed the token.
	var issuer *app
	_, err := parser.ParseWithClaims(value, claims, func(*jwt.Token) (any, error) {
		for _, a := range s.apps {
			if issuerIs(claims["iss"], a.ID) {
				issuer = a
				return &a.key.PublicKey, nil
			}
		}
		return &s.app.key.PublicKey, nil
	})
	if err != nil {
		s.writeError(c, http.StatusUnauthorized, "A JSON web token could not be decoded")
		return false
	}
	now := time.Now()
	exp, expOK := numericClaim(claims["exp"])
	iat, iatOK := numericClaim(claims["iat"])
	switch {
	case !expOK || !iatOK:
		s.writeError(c, http.StatusUnauthorized, "'Expiration time' claim ('exp') and 'Issued at' claim ('iat') must be numeric values.")
		return false
	case !now.Before(time.Unix(exp, 0)):
		s.writeError(c, http.StatusUnauthorized, "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
		return false
	case time.Unix(iat, 0).After(now.Add(60 * time.Second)):
		s.writeError(c, http.StatusUnauthorized, "'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
		return false
	case exp-iat > 600:
		s.writeError(c, http.StatusUnauthorized, "'Expiration time' claim ('exp') is too far in the future")
		return false
	}
	if issuer == nil {
		s.writeError(c, http.StatusUnauthorized, "'Issuer' claim ('iss') must be an Integer")
		return false
	}
	c.app = issuer
	return true
}

// issuerIs reports whether the iss claim, a string or a number, is appID.
func issuerIs(iss any, appID int64) bool {
	switch x := iss.(type) {
	case string:
		return x == strconv.FormatInt(appID, 10)
	case float64:
		return int64(x) == appID && x == float64(int64(x))
	}
	return false
}

func numericClaim(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), x == float64(int64(x))
	case json.Number:
		n, err := x.Int64()
		return n, err == nil
	}
	return 0, false
}

func (s *Sim) getApp(c *reqCtx) {
	m := s.appJSON(c.app)
	n := 0
	for _, in := range s.installations {
		if in.app == c.app {
			n++
		}
	}
	m["installations_count"] = n
	s.writeJSON(c, http.StatusOK, m)
}

func (s *Sim) createToken(c *reqCtx) {
	id, _ := strconv.ParseInt(c.params["installation_id"], 10, 64)
	in := s.installations[id]
	if in == nil || in.app != c.app { // another App's installation is none of this one's
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	if in.Suspended {
		s.writeError(c, http.StatusForbidden, "This installation has been suspended")
		return
	}
	tok := "ghs_" + randomToken(36)
	exp := time.Now().Add(time.Hour).UTC().Truncate(time.Second)
	s.tokens[tok] = &token{installation: in.ID, expires: exp}
	s.tokensIssued++
	c.w.Header().Set("Location", fmt.Sprintf("%s/app/installations/%d/access_tokens", s.apiURL, in.ID))
	s.writeJSON(c, http.StatusCreated, obj{
		"token":                tok,
		"expires_at":           exp.Format(time.RFC3339),
		"permissions":          permissionsJSON(in.granted()),
		"repository_selection": in.Selection,
	})
}

func randomToken(n int) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	h := randomHex(n)
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[int(h[i])*7%len(alphabet)]
	}
	return string(b)
}

func (s *Sim) listInstallationRepos(c *reqCtx) {
	rs := s.installationRepos(c.inst)
	from, to := s.paginate(c, len(rs))
	out := []any{}
	for _, r := range rs[from:to] {
		out = append(out, s.repoJSON(r, false))
	}
	s.writeJSON(c, http.StatusOK, obj{"total_count": len(rs), "repository_selection": c.inst.Selection, "repositories": out})
}

func (s *Sim) getRepo(c *reqCtx) {
	r, ok := s.repoFor(c)
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, s.repoJSON(r, false))
}

// gitBlobSHA is git's object id of a blob with that content.
func gitBlobSHA(content string) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write([]byte(content))
	return fmt.Sprintf("%x", h.Sum(nil))
}

func (s *Sim) contentJSON(r *repo, path, typ string, content *string) obj {
	api := s.apiURL + "/repos/" + r.FullName() + "/contents/" + path
	html := fmt.Sprintf("%s/%s/blob/%s/%s", s.web(), r.FullName(), r.DefaultBranch, path)
	sha := fakeSHA("tree" + path)
	size := 0
	var download any
	gitURL := fmt.Sprintf("%s/repos/%s/git/trees/%s", s.apiURL, r.FullName(), sha)
	if content != nil {
		sha = gitBlobSHA(*content)
		size = len(*content)
		download = fmt.Sprintf("https://raw.githubusercontent.com/%s/%s/%s", r.FullName(), r.DefaultBranch, path)
		gitURL = fmt.Sprintf("%s/repos/%s/git/blobs/%s", s.apiURL, r.FullName(), sha)
	} else {
		html = fmt.Sprintf("%s/%s/tree/%s/%s", s.web(), r.FullName(), r.DefaultBranch, path)
	}
	name := path[strings.LastIndex(path, "/")+1:]
	m := obj{
		"type": typ, "size": size, "name": name, "path": path, "sha": sha,
		"url": api + "?ref=" + url.QueryEscape(r.DefaultBranch), "git_url": gitURL, "html_url": html, "download_url": download,
		"_links": obj{"self": api + "?ref=" + url.QueryEscape(r.DefaultBranch), "git": gitURL, "html": html},
	}
	switch {
	case content != nil && len(*content) > 1<<20:
		// GitHub's contents API does not serve a file over 1 MB: it says
		// "none" and leaves the content empty.
		m["encoding"] = "none"
		m["content"] = ""
	case content != nil:
		m["encoding"] = "base64"
		m["content"] = base64Lines(*content)
	}
	return m
}

// base64Lines encodes like GitHub: base64 with a newline every 60 characters.
func base64Lines(s string) string {
	enc := base64.StdEncoding.EncodeToString([]byte(s))
	var b strings.Builder
	for len(enc) > 60 {
		b.WriteString(enc[:60])
		b.WriteByte('\n')
		enc = enc[60:]
	}
	b.WriteString(enc)
	b.WriteByte('\n')
	return b.String()
}

func (s *Sim) getContents(c *reqCtx) {
	r, ok := s.repoFor(c)
	if !ok {
		return
	}
	ref := c.r.URL.Query().Get("ref")
	files, ok := r.filesAt(ref)
	if !ok {
		s.writeError(c, http.StatusNotFound, fmt.Sprintf("No commit found for the ref %s", ref))
		return
	}
	p := strings.Trim(c.params["path"], "/")
	if content, ok := files[p]; ok {
		s.writeJSON(c, http.StatusOK, s.contentJSON(r, p, "file", &content))
		return
	}
	// A directory lists its entries.
	entries := map[string]bool{}
	for _, f := range sortedKeys(files) {
		rest, ok := strings.CutPrefix(f, p+"/")
		if !ok {
			continue
		}
		name, _, isDir := strings.Cut(rest, "/")
		if _, seen := entries[name]; !seen {
			entries[name] = isDir
		}
	}
	if len(entries) == 0 {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	out := []any{}
	for _, name := range sortedKeys(entries) {
		full := p + "/" + name
		if entries[name] {
			out = append(out, s.contentJSON(r, full, "dir", nil))
		} else {
			content := files[full]
			e := s.contentJSON(r, full, "file", &content)
			delete(e, "content")
			delete(e, "encoding")
			out = append(out, e)
		}
	}
	s.writeJSON(c, http.StatusOK, out)
}

// issueFor resolves {issue_number} or {pull_number}; it answers 404 for
// unknown numbers, 410 for deleted issues and 301 for transferred ones.
func (s *Sim) issueFor(c *reqCtx, param string) (*repo, *issue, bool) {
	r, ok := s.repoFor(c)
	if !ok {
		return nil, nil, false
	}
	n, err := strconv.Atoi(c.params[param])
	is := r.issues[n]
	if err != nil || is == nil {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return nil, nil, false
	}
	if is.Deleted {
		s.writeError(c, http.StatusGone, "This issue was deleted")
		return nil, nil, false
	}
	if is.MovedTo != "" {
		full, num, _ := strings.Cut(is.MovedTo, "#")
		loc := fmt.Sprintf("/repos/%s/issues/%s", full, num)
		if strings.HasPrefix(c.r.URL.Path, "/api/v3/") {
			loc = "/api/v3" + loc
		}
		c.w.Header().Set("Location", loc)
		s.writeJSON(c, http.StatusMovedPermanently, obj{"message": "Moved Permanently", "url": s.apiURL + loc, "documentation_url": docsURL})
		return nil, nil, false
	}
	return r, is, true
}

func (s *Sim) getIssue(c *reqCtx) {
	r, is, ok := s.issueFor(c, "issue_number")
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, s.issueJSON(r, is))
}

func (s *Sim) listComments(c *reqCtx) {
	r, is, ok := s.issueFor(c, "issue_number")
	if !ok {
		return
	}
	var live []*comment
	for _, cm := range is.comments {
		if !cm.Deleted {
			live = append(live, cm)
		}
	}
	from, to := s.paginate(c, len(live))
	out := []any{}
	for _, cm := range live[from:to] {
		out = append(out, s.commentJSON(r, is, cm))
	}
	s.writeJSON(c, http.StatusOK, out)
}

func (s *Sim) decodeBody(c *reqCtx, field string) (string, bool) {
	var in map[string]any
	if err := json.Unmarshal(c.body, &in); err != nil {
		s.writeJSON(c, http.StatusBadRequest, obj{"message": "Problems parsing JSON", "documentation_url": docsURL, "status": "400"})
		return "", false
	}
	v, ok := in[field].(string)
	if !ok {
		s.writeJSON(c, http.StatusUnprocessableEntity, obj{"message": fmt.Sprintf("Invalid request.\n\n%q wasn't supplied.", field),
			"documentation_url": docsURL, "status": "422"})
		return "", false
	}
	return v, true
}

// bot is the bot user of the App whose token the request carries.
func (s *Sim) bot(c *reqCtx) *user { return c.inst.app.bot }

func (s *Sim) createComment(c *reqCtx) {
	r, is, ok := s.issueFor(c, "issue_number")
	if !ok {
		return
	}
	body, ok := s.decodeBody(c, "body")
	if !ok {
		return
	}
	if is.Locked {
		s.writeError(c, http.StatusForbidden, "Unable to create comment because issue is locked.")
		return
	}
	cm, send := s.addCommentLocked(r, is, s.bot(c), body)
	m := s.commentJSON(r, is, cm)
	c.w.Header().Set("Location", m["url"].(string))
	s.writeJSON(c, http.StatusCreated, m)
	s.later(c, send)
}

// commentFor resolves {comment_id} within the request's repository.
func (s *Sim) commentFor(c *reqCtx) (commentRef, bool) {
	r, ok := s.repoFor(c)
	if !ok {
		return commentRef{}, false
	}
	id, err := strconv.ParseInt(c.params["comment_id"], 10, 64)
	ref, found := s.commentLocked(id)
	if err != nil || !found || ref.repo != r {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return commentRef{}, false
	}
	return ref, true
}

func (s *Sim) getComment(c *reqCtx) {
	ref, ok := s.commentFor(c)
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, s.commentJSON(ref.repo, ref.issue, ref.c))
}

func (s *Sim) updateComment(c *reqCtx) {
	ref, ok := s.commentFor(c)
	if !ok {
		return
	}
	body, ok := s.decodeBody(c, "body")
	if !ok {
		return
	}
	send := s.editCommentLocked(ref, s.bot(c), body)
	s.writeJSON(c, http.StatusOK, s.commentJSON(ref.repo, ref.issue, ref.c))
	s.later(c, send)
}

func (s *Sim) deleteComment(c *reqCtx) {
	ref, ok := s.commentFor(c)
	if !ok {
		return
	}
	send := s.deleteCommentLocked(ref, s.bot(c))
	c.w.WriteHeader(http.StatusNoContent)
	s.later(c, send)
}

func (s *Sim) getTeamMembership(c *reqCtx) {
	o := s.orgs[lower(c.params["org"])]
	if o == nil || !strings.EqualFold(c.inst.Account.Login, o.user.Login) {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	t := o.teams[lower(c.params["team_slug"])]
	if t == nil {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	role, ok := t.members[lower(c.params["username"])]
	if !ok {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	s.writeJSON(c, http.StatusOK, obj{
		"url":   fmt.Sprintf("%s/organizations/%d/team/%d/memberships/%s", s.apiURL, o.user.ID, t.ID, c.params["username"]),
		"role":  role,
		"state": "active",
	})
}

func (s *Sim) pullFor(c *reqCtx) (*repo, *issue, bool) {
	r, is, ok := s.issueFor(c, "pull_number")
	if !ok {
		return nil, nil, false
	}
	if is.PR == nil {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return nil, nil, false
	}
	return r, is, true
}

func (s *Sim) getPull(c *reqCtx) {
	r, is, ok := s.pullFor(c)
	if !ok {
		return
	}
	s.writeJSON(c, http.StatusOK, s.pullJSON(r, is))
}

func (s *Sim) listReviews(c *reqCtx) {
	r, is, ok := s.pullFor(c)
	if !ok {
		return
	}
	rs := is.PR.reviews
	from, to := s.paginate(c, len(rs))
	out := []any{}
	for _, rv := range rs[from:to] {
		out = append(out, s.reviewJSON(r, is, rv))
	}
	s.writeJSON(c, http.StatusOK, out)
}

func (s *Sim) listReviewComments(c *reqCtx) {
	r, is, ok := s.pullFor(c)
	if !ok {
		return
	}
	var live []*reviewComment
	for _, rc := range is.PR.reviewComments {
		if !rc.Deleted {
			live = append(live, rc)
		}
	}
	from, to := s.paginate(c, len(live))
	out := []any{}
	for _, rc := range live[from:to] {
		out = append(out, s.reviewCommentJSON(r, is, rc))
	}
	s.writeJSON(c, http.StatusOK, out)
}

func (s *Sim) getRateLimit(c *reqCtx) {
	key, limit := "ip:"+strings.Split(c.r.RemoteAddr, ":")[0], 60
	if c.inst != nil {
		key, limit = fmt.Sprintf("installation:%d", c.inst.ID), s.opts.RateLimit
	}
	w := s.window(key, limit)
	core := obj{"limit": w.limit, "used": w.used, "remaining": w.limit - w.used, "reset": w.reset.Unix()}
	reset := time.Now().Add(time.Minute).Unix()
	resources := obj{"core": core}
	for name, l := range map[string]int{"search": 30, "graphql": 5000, "integration_manifest": 5000,
		"code_search": 10, "source_import": 100, "code_scanning_upload": 1000, "actions_runner_registration": 10000,
		"scim": 15000, "dependency_snapshots": 100, "audit_log": 1750, "code_scanning_autofix": 10} {
		resources[name] = obj{"limit": l, "used": 0, "remaining": l, "reset": reset}
	}
	s.writeJSON(c, http.StatusOK, obj{"resources": resources, "rate": core})
}
