package githubsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Route is one REST route the Sim serves: a method and GitHub's OpenAPI path
// template.
type Route struct {
	Method string
	Path   string
}

type authKind int

const (
	authNone  authKind = iota // no credentials needed
	authJWT                   // the App's JWT
	authToken                 // an installation token
	authAny                   // optional; any valid credential or none
	authUser                  // a user access token (OAuth web flow)
)

type routeDef struct {
	Route
	auth authKind
	// perm is the installation permission the route needs ("checks:write");
	// without it GitHub answers 403 "Resource not accessible by integration".
	perm    string
	segs    []string
	handler func(s *Sim, c *reqCtx)
}

var routeDefs = []*routeDef{
	{Route: Route{"GET", "/app"}, auth: authJWT, handler: (*Sim).getApp},
	{Route: Route{"POST", "/app/installations/{installation_id}/access_tokens"}, auth: authJWT, handler: (*Sim).createToken},
	{Route: Route{"GET", "/installation/repositories"}, auth: authToken, handler: (*Sim).listInstallationRepos},
	{Route: Route{"GET", "/repos/{owner}/{repo}"}, auth: authToken, handler: (*Sim).getRepo},
	{Route: Route{"GET", "/repos/{owner}/{repo}/contents/{path}"}, auth: authToken, handler: (*Sim).getContents},
	{Route: Route{"GET", "/repos/{owner}/{repo}/issues/{issue_number}"}, auth: authToken, handler: (*Sim).getIssue},
	{Route: Route{"GET", "/repos/{owner}/{repo}/issues/{issue_number}/comments"}, auth: authToken, handler: (*Sim).listComments},
	{Route: Route{"POST", "/repos/{owner}/{repo}/issues/{issue_number}/comments"}, auth: authToken, perm: "issues:write", handler: (*Sim).createComment},
	{Route: Route{"POST", "/repos/{owner}/{repo}/issues/{issue_number}/labels"}, auth: authToken, perm: "issues:write", handler: (*Sim).addLabels},
	{Route: Route{"DELETE", "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}"}, auth: authToken, perm: "issues:write", handler: (*Sim).removeLabel},
	{Route: Route{"POST", "/repos/{owner}/{repo}/check-runs"}, auth: authToken, perm: "checks:write", handler: (*Sim).createCheckRun},
	{Route: Route{"GET", "/repos/{owner}/{repo}/issues/comments/{comment_id}"}, auth: authToken, handler: (*Sim).getComment},
	{Route: Route{"PATCH", "/repos/{owner}/{repo}/issues/comments/{comment_id}"}, auth: authToken, perm: "issues:write", handler: (*Sim).updateComment},
	{Route: Route{"DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}"}, auth: authToken, perm: "issues:write", handler: (*Sim).deleteComment},
	{Route: Route{"GET", "/orgs/{org}/teams/{team_slug}/memberships/{username}"}, auth: authToken, handler: (*Sim).getTeamMembership},
	{Route: Route{"GET", "/repos/{owner}/{repo}/pulls/{pull_number}"}, auth: authToken, handler: (*Sim).getPull},
	{Route: Route{"GET", "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"}, auth: authToken, handler: (*Sim).listReviews},
	{Route: Route{"GET", "/repos/{owner}/{repo}/pulls/{pull_number}/comments"}, auth: authToken, handler: (*Sim).listReviewComments},
	{Route: Route{"POST", "/app-manifests/{code}/conversions"}, auth: authNone, handler: (*Sim).convertManifest},
	{Route: Route{"GET", "/rate_limit"}, auth: authAny, handler: (*Sim).getRateLimit},
	{Route: Route{"GET", "/app/hook/deliveries"}, auth: authJWT, handler: (*Sim).listHookDeliveries},
	{Route: Route{"POST", "/app/hook/deliveries/{delivery_id}/attempts"}, auth: authJWT, handler: (*Sim).redeliverHookDelivery},
	{Route: Route{"GET", "/app/installations"}, auth: authJWT, handler: (*Sim).listAppInstallations},
	{Route: Route{"GET", "/repos/{owner}/{repo}/installation"}, auth: authJWT, handler: (*Sim).getRepoInstallation},
	{Route: Route{"GET", "/user"}, auth: authUser, handler: (*Sim).getAuthenticatedUser},
	{Route: Route{"GET", "/user/installations"}, auth: authUser, handler: (*Sim).listUserInstallations},
	{Route: Route{"GET", "/user/installations/{installation_id}/repositories"}, auth: authUser, handler: (*Sim).listUserInstallationRepos},
}

// Routes lists every REST route the Sim serves, each a real route of
// GitHub's REST API (the tests check them against @octokit/openapi).
var Routes []Route

func init() {
	for _, d := range routeDefs {
		d.segs = strings.Split(strings.Trim(d.Path, "/"), "/")
		Routes = append(Routes, d.Route)
	}
}

// match finds the route for method and path; literal segments win over
// parameters. A trailing {path} parameter takes the rest of the path.
func match(method, path string) (*routeDef, map[string]string) {
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var best *routeDef
	var bestParams map[string]string
	bestScore := -1
	for _, d := range routeDefs {
		if d.Method != method {
			continue
		}
		params, score, ok := matchSegs(d.segs, segs)
		if !ok {
			continue
		}
		if score > bestScore {
			best, bestParams, bestScore = d, params, score
		}
	}
	return best, bestParams
}

func matchSegs(tmpl, segs []string) (map[string]string, int, bool) {
	params := map[string]string{}
	score := 0
	for i, t := range tmpl {
		if t == "{path}" && i == len(tmpl)-1 {
			if i >= len(segs) {
				return nil, 0, false
			}
			params["path"] = unescape(strings.Join(segs[i:], "/"))
			return params, score, true
		}
		if i >= len(segs) || segs[i] == "" {
			return nil, 0, false
		}
		if strings.HasPrefix(t, "{") {
			params[strings.Trim(t, "{}")] = unescape(segs[i])
			continue
		}
		if t != segs[i] {
			return nil, 0, false
		}
		score++
	}
	if len(segs) != len(tmpl) {
		return nil, 0, false
	}
	return params, score, true
}

// unescape decodes one escaped path segment ("needs%20owner").
func unescape(seg string) string {
	if u, err := url.PathUnescape(seg); err == nil {
		return u
	}
	return seg
}

// Request is one REST request the Sim answered.
type Request struct {
	Method string
	// Path is the URL path as sent (escaped), without the "/api/v3" prefix
	// and query.
	Path  string
	Query string
	// Route is GitHub's OpenAPI template of the path, "" for unknown routes.
	Route  string
	Status int
	// InstallationID is the installation whose token was used (for
	// access_tokens, the installation asked for), 0 if none.
	InstallationID int64
	// Body is the request body of writes.
	Body string
	At   time.Time
}

// Requests returns every REST request so far, oldest first.
func (s *Sim) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// Writes returns the requests that change something (not GET, HEAD,
// GraphQL queries or access-token creation), oldest first.
func (s *Sim) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		// GraphQL queries read; token exchanges write nothing people see.
		if r.Method == "GET" || r.Method == "HEAD" || strings.HasSuffix(r.Route, "/access_tokens") || r.Route == GraphQLRoute {
			continue
		}
		out = append(out, r)
	}
	return out
}

// ResetRequests clears the request log (not the world).
func (s *Sim) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

type reqCtx struct {
	w      http.ResponseWriter
	r      *http.Request
	params map[string]string
	inst   *installation // set for token-authenticated requests
	app    *app          // set for JWT-authenticated requests
	user   *user         // set for user-token-authenticated requests
	body   []byte
	// after runs once the response is written (webhooks of the App's writes).
	after []func() (Delivery, error)
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

const docsURL = "https://docs.github.com/rest"

// ServeHTTP serves GitHub's REST API.
func (s *Sim) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	path := r.URL.EscapedPath()
	if p, ok := strings.CutPrefix(path, "/api/v3"); ok && (p == "" || strings.HasPrefix(p, "/")) {
		path = p
	}
	if path == "" {
		path = "/"
	}
	if r.Method == http.MethodPost && isManifestForm(path) {
		s.serveManifestForm(w, r)
		return
	}
	if isOAuthPage(path) {
		s.serveOAuth(w, r, path)
		return
	}
	if s.serveWebPage(w, r, path) {
		return
	}
	sw := &statusWriter{ResponseWriter: w}
	c := &reqCtx{w: sw, r: r}
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(io.LimitReader(r.Body, 10<<20))
	}
	c.body = body
	h := w.Header()
	h.Set("X-GitHub-Request-Id", strings.ToUpper(fmt.Sprintf("%s:%s:%s:%s:%s", randomHex(2), randomHex(2), randomHex(3), randomHex(3), randomHex(4))))
	h.Set("X-GitHub-Media-Type", "github.v3; format=json")
	h.Set("X-GitHub-Api-Version-Selected", "2022-11-28")
	h.Set("Server", "github.com")

	def, params := match(r.Method, path)
	if r.Method == http.MethodPost && (path == GraphQLRoute || r.URL.Path == "/api/graphql") {
		def, params = graphqlDef, map[string]string{}
	}
	route := ""
	if def != nil {
		route = def.Path
	}

	s.mu.Lock()
	lat := s.latency[r.Method+" "+route] + s.latency[" "]
	if params["owner"] != "" {
		lat += s.repoLatency[strings.ToLower(params["owner"]+"/"+params["repo"])]
	}
	s.mu.Unlock()
	if lat > 0 {
		t := time.NewTimer(lat)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
		}
	}

	s.mu.Lock()
	if def == nil {
		// GitHub answers 404 for unknown paths and unsupported methods alike.
		s.writeError(c, http.StatusNotFound, "Not Found")
	} else {
		c.params = params
		s.serveRoute(c, def)
	}
	var instID int64
	if c.inst != nil {
		instID = c.inst.ID
	} else if route == "/app/installations/{installation_id}/access_tokens" {
		instID, _ = strconv.ParseInt(params["installation_id"], 10, 64)
	}
	rec := Request{Method: r.Method, Path: path, Query: r.URL.RawQuery, Route: route, Status: sw.status,
		InstallationID: instID, At: time.Now()}
	if r.Method != "GET" && r.Method != "HEAD" {
		rec.Body = string(body)
	}
	s.requests = append(s.requests, rec)
	after := c.after
	s.mu.Unlock()
	if len(after) > 0 {
		sw.Flush()
		for _, f := range after {
			s.enqueue(f)
		}
	}
}

// serveRoute runs with s.mu held.
func (s *Sim) serveRoute(c *reqCtx, def *routeDef) {
	rateKey := "ip:" + strings.Split(c.r.RemoteAddr, ":")[0]
	limit := 60
	switch def.auth {
	case authJWT:
		if !s.checkJWT(c) {
			return
		}
		rateKey, limit = fmt.Sprintf("app:%d", c.app.ID), s.opts.RateLimit
	case authToken:
		in, ok := s.checkToken(c, true)
		if !ok {
			return
		}
		c.inst = in
		rateKey, limit = fmt.Sprintf("installation:%d", in.ID), s.opts.RateLimit
	case authUser:
		u, ok := s.checkUser(c)
		if !ok {
			return
		}
		c.user = u
		rateKey, limit = "user:"+strings.ToLower(u.Login), s.opts.RateLimit
	case authAny:
		if in, ok := s.checkToken(c, false); ok && in != nil {
			c.inst = in
			rateKey, limit = fmt.Sprintf("installation:%d", in.ID), s.opts.RateLimit
		}
	}
	if s.applyFault(c, def, rateKey, limit) {
		return
	}
	if def.perm != "" && c.inst != nil && !permits(c.inst.granted(), def.perm) {
		s.writeError(c, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	if def == graphqlDef {
		s.serveGraphQL(c) // its own rate limit, in points
		return
	}
	if def.Path == "/rate_limit" {
		// GET /rate_limit does not count against the rate limit.
		s.rateHeaders(c, rateKey, limit, false)
	} else if !s.rateHeaders(c, rateKey, limit, true) {
		s.writeJSON(c, http.StatusForbidden, obj{"message": s.rateMessage(c), "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"})
		return
	}
	def.handler(s, c)
}

// permits reports whether granted permissions cover need ("checks:write");
// write access includes read.
func permits(granted map[string]string, need string) bool {
	name, access, _ := strings.Cut(need, ":")
	have := granted[name]
	return have == "write" || have == access && access != ""
}

func (s *Sim) rateMessage(c *reqCtx) string {
	if c.inst != nil {
		return fmt.Sprintf("API rate limit exceeded for installation ID %d.", c.inst.ID)
	}
	return "API rate limit exceeded for " + strings.Split(c.r.RemoteAddr, ":")[0] + ". (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)"
}

type rateWindow struct {
	limit int
	used  int
	reset time.Time
}

func (s *Sim) window(key string, limit int) *rateWindow {
	now := time.Now()
	w := s.rates[key]
	if w == nil || !now.Before(w.reset) {
		w = &rateWindow{limit: limit, reset: now.Add(s.opts.RateWindow).Truncate(time.Second)}
		s.rates[key] = w
	}
	return w
}

// rateHeaders counts the request (when count) and writes the X-RateLimit
// headers; it reports false when the limit is exhausted.
func (s *Sim) rateHeaders(c *reqCtx, key string, limit int, count bool) bool {
	w := s.window(key, limit)
	ok := true
	if count {
		if w.used >= w.limit {
			ok = false
		} else {
			w.used++
		}
	}
	h := c.w.Header()
	h.Set("X-RateLimit-Limit", strconv.Itoa(w.limit))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(w.limit-w.used))
	h.Set("X-RateLimit-Used", strconv.Itoa(w.used))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(w.reset.Unix(), 10))
	h.Set("X-RateLimit-Resource", "core")
	return ok
}

func (s *Sim) writeJSON(c *reqCtx, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic("githubsim: rendering a response: " + err.Error())
	}
	c.w.Header().Set("Content-Type", "application/json; charset=utf-8")
	c.w.WriteHeader(status)
	_, _ = c.w.Write(b)
}

func (s *Sim) writeError(c *reqCtx, status int, message string) {
	s.writeJSON(c, status, obj{"message": message, "documentation_url": docsURL, "status": strconv.Itoa(status)})
}

// ---- authentication ----

type token struct {
	installation int64
	expires      time.Time
}

func credential(r *http.Request) (scheme, value string) {
	a := r.Header.Get("Authorization")
	if a == "" {
		return "", ""
	}
	scheme, value, _ = strings.Cut(a, " ")
	return strings.ToLower(scheme), strings.TrimSpace(value)
}

// checkToken authenticates an installation token. With required=false a
// request without credentials passes with a nil installation.
func (s *Sim) checkToken(c *reqCtx, required bool) (*installation, bool) {
	scheme, value := credential(c.r)
	if scheme == "" {
		if !required {
			return nil, true
		}
		s.writeError(c, http.StatusUnauthorized, "Requires authentication")
		return nil, false
	}
	t, ok := s.tokens[value]
	if (scheme != "token" && scheme != "bearer") || !ok || !time.Now().Before(t.expires) {
		s.writeError(c, http.StatusUnauthorized, "Bad credentials")
		return nil, false
	}
	in := s.installations[t.installation]
	if in == nil {
		s.writeError(c, http.StatusUnauthorized, "Bad credentials")
		return nil, false
	}
	return in, true
}

// checkToken reports whether installation in reaches r; tokens of other
// installations get 404, as GitHub answers.
func (s *Sim) repoFor(c *reqCtx) (*repo, bool) {
	r, ok := s.repos[lower(c.params["owner"]+"/"+c.params["repo"])]
	if !ok || c.inst == nil || !c.inst.covers(r) {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return nil, false
	}
	return r, true
}

// ---- pagination ----

// paginate slices n items by the request's page and per_page (default 30,
// at most 100) and writes the Link header GitHub writes.
func (s *Sim) paginate(c *reqCtx, n int) (from, to int) {
	q := c.r.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	page := 1
	if v, err := strconv.Atoi(q.Get("page")); err == nil && v > 0 {
		page = v
	}
	last := max((n+per-1)/per, 1)
	from = min((page-1)*per, n)
	to = min(from+per, n)
	link := func(p int, rel string) string {
		u := *c.r.URL
		u.Scheme = "http"
		if c.r.TLS != nil {
			u.Scheme = "https"
		}
		u.Host = c.r.Host
		qq := u.Query()
		qq.Set("page", strconv.Itoa(p))
		qq.Set("per_page", strconv.Itoa(per))
		u.RawQuery = qq.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if page > 1 {
		links = append(links, link(min(page-1, last), "prev"))
	}
	if page < last {
		links = append(links, link(page+1, "next"), link(last, "last"))
	}
	if page > 1 {
		links = append(links, link(1, "first"))
	}
	if len(links) > 0 {
		c.w.Header().Set("Link", strings.Join(links, ", "))
	}
	return from, to
}
