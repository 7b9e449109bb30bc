package githubsim

import (
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"
)

// The App's OAuth web flow, as GitHub plays it for "Sign in with GitHub":
// the browser is sent to /login/oauth/authorize, the person (already signed
// in to GitHub) authorizes the App, GitHub redirects to the App's callback
// URL with a code, and the App exchanges the code at
// /login/oauth/access_token for a user access token (ghu_...), valid for
// 8 hours. With that token the App may call GET /user, GET
// /user/installations and GET /user/installations/{id}/repositories, which
// list only what the person can see. The two /login/oauth pages are
// github.com's web side, not its REST API: they are not in Routes.

type oauthCode struct {
	login    string
	expires  time.Time
	redirect string
	used     bool
}

type userToken struct {
	login   string
	expires time.Time
}

// OAuthClient returns the App's OAuth client id and secret, the values the
// manifest conversion hands out.
func (s *Sim) OAuthClient() (id, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.clientIDLocked(), s.clientSecretLocked()
}

func (s *Sim) clientIDLocked() string { return fmt.Sprintf("Iv1.%016x", fnv64(s.opts.AppSlug)) }

func (s *Sim) clientSecretLocked() string {
	if s.clientSecret == "" {
		s.clientSecret = randomHex(20)
	}
	return s.clientSecret
}

// SetOAuthCallback sets the App's callback URL, where authorize sends the
// browser back (the "Callback URL" of the App's settings).
func (s *Sim) SetOAuthCallback(u string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.oauthCallback = u
}

// UserToken issues a user access token for login directly, as if the
// person had gone through the web flow (for tests of what a token sees).
func (s *Sim) UserToken(login string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.userTokenLocked(login)
}

func (s *Sim) userTokenLocked(login string) string {
	tok := "ghu_" + randomHex(18)
	s.userTokens[tok] = &userToken{login: login, expires: time.Now().Add(8 * time.Hour)}
	return tok
}

// isOAuthPage reports whether path is one of github.com's OAuth pages.
func isOAuthPage(path string) bool {
	return path == "/login/oauth/authorize" || path == "/login/oauth/access_token"
}

func (s *Sim) serveOAuth(w http.ResponseWriter, r *http.Request, path string) {
	switch {
	case path == "/login/oauth/authorize" && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		s.authorize(w, r)
	case path == "/login/oauth/access_token" && r.Method == http.MethodPost:
		s.accessToken(w, r)
	default:
		http.Error(w, "Not Found", http.StatusNotFound)
	}
}

// authorize plays the person's consent. The person is whoever `login` names
// (GitHub takes it as a suggestion of the account to use); without it the
// Sim shows a form asking who signs in, as GitHub's sign-in page would.
func (s *Sim) authorize(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	q := r.Form
	s.mu.Lock()
	defer s.mu.Unlock()
	if q.Get("client_id") != s.clientIDLocked() {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!doctype html><title>404</title><p>No application with this client id.</p>\n")
		return
	}
	callback := s.oauthCallback
	if ru := q.Get("redirect_uri"); ru != "" {
		if callback == "" || !strings.HasPrefix(ru, callback) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, "<!doctype html><title>Redirect URI mismatch</title><p>The redirect_uri is not associated with this application.</p>\n")
			return
		}
		callback = ru
	}
	if callback == "" {
		http.Error(w, "The application has no callback URL.", http.StatusBadRequest)
		return
	}
	login := q.Get("login")
	u, known := s.users[strings.ToLower(login)]
	if login == "" || !known || u.Type != "User" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign in to GitHub</title></head><body>
<h1>Sign in to GitHub to continue to %s</h1>
<form method="post" action="/login/oauth/authorize">
<input type="hidden" name="client_id" value="%s"><input type="hidden" name="state" value="%s">
<label>Username <input name="login" autocomplete="username"></label> <button type="submit">Authorize</button>
</form></body></html>
`, html.EscapeString(s.opts.AppSlug), html.EscapeString(q.Get("client_id")), html.EscapeString(q.Get("state")))
		return
	}
	code := randomHex(10)
	s.oauthCodes[code] = &oauthCode{login: u.Login, expires: time.Now().Add(10 * time.Minute), redirect: callback}
	target, err := url.Parse(callback)
	if err != nil {
		http.Error(w, "bad callback URL", http.StatusBadRequest)
		return
	}
	tq := target.Query()
	tq.Set("code", code)
	if st := q.Get("state"); st != "" {
		tq.Set("state", st)
	}
	target.RawQuery = tq.Encode()
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// accessToken exchanges a code for a user access token. Like GitHub it
// answers 200 with an "error" field for a bad code or bad client
// credentials, in JSON when asked, else form-encoded.
func (s *Sim) accessToken(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f := r.Form
	reply := func(v obj) {
		if strings.Contains(r.Header.Get("Accept"), "json") {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_ = json.NewEncoder(w).Encode(v)
			return
		}
		vals := url.Values{}
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			vals.Set(k, fmt.Sprint(v[k]))
		}
		w.Header().Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		fmt.Fprint(w, vals.Encode())
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Get("client_id") != s.clientIDLocked() || f.Get("client_secret") != s.clientSecretLocked() {
		reply(obj{"error": "incorrect_client_credentials", "error_description": "The client_id and/or client_secret passed are incorrect.",
			"error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#incorrect-client-credentials"})
		return
	}
	c := s.oauthCodes[f.Get("code")]
	if c == nil || c.used || time.Now().After(c.expires) || (f.Get("redirect_uri") != "" && !strings.HasPrefix(f.Get("redirect_uri"), c.redirect)) {
		reply(obj{"error": "bad_verification_code", "error_description": "The code passed is incorrect or expired.",
			"error_uri": "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors/#bad-verification-code"})
		return
	}
	c.used = true
	reply(obj{"access_token": s.userTokenLocked(c.login), "expires_in": 28800, "token_type": "bearer", "scope": "",
		"refresh_token": "ghr_" + randomHex(30), "refresh_token_expires_in": 15897600})
}

// checkUser authenticates a user access token.
func (s *Sim) checkUser(c *reqCtx) (*user, bool) {
	scheme, value := credential(c.r)
	if scheme == "" {
		s.writeError(c, http.StatusUnauthorized, "Requires authentication")
		return nil, false
	}
	t, ok := s.userTokens[value]
	if (scheme != "token" && scheme != "bearer") || !ok || !time.Now().Before(t.expires) {
		s.writeError(c, http.StatusUnauthorized, "Bad credentials")
		return nil, false
	}
	return s.users[strings.ToLower(t.login)], true
}

// canSee reports whether u has explicit access to r, as the user routes
// list it: the owner of a personal repository, an admin of its
// organization, a collaborator, or a member of the organization when the
// repository is public.
func (s *Sim) canSee(u *user, r *repo) bool {
	if strings.EqualFold(r.Owner.Login, u.Login) || r.collaborators[strings.ToLower(u.Login)] {
		return true
	}
	o := s.orgs[strings.ToLower(r.Owner.Login)]
	if o == nil {
		return false
	}
	role, member := o.members[strings.ToLower(u.Login)]
	return role == "admin" || (member && !r.Private)
}

// userInstallationRepos lists the repositories of an installation the user
// can see, by name.
func (s *Sim) userInstallationRepos(u *user, in *installation) []*repo {
	var out []*repo
	for _, r := range s.installationRepos(in) {
		if s.canSee(u, r) {
			out = append(out, r)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].FullName() < out[j].FullName() })
	return out
}

func (s *Sim) getAuthenticatedUser(c *reqCtx) {
	s.writeJSON(c, http.StatusOK, s.userJSON(c.user))
}

func (s *Sim) listUserInstallations(c *reqCtx) {
	var ins []*installation
	for _, in := range s.installations {
		if len(s.userInstallationRepos(c.user, in)) > 0 {
			ins = append(ins, in)
		}
	}
	sort.Slice(ins, func(i, j int) bool { return ins[i].ID < ins[j].ID })
	from, to := s.paginate(c, len(ins))
	out := []any{}
	for _, in := range ins[from:to] {
		out = append(out, s.installationJSON(in, true))
	}
	s.writeJSON(c, http.StatusOK, obj{"total_count": len(ins), "installations": out})
}

func (s *Sim) listUserInstallationRepos(c *reqCtx) {
	id, _ := strconv.ParseInt(c.params["installation_id"], 10, 64)
	in := s.installations[id]
	var rs []*repo
	if in != nil {
		rs = s.userInstallationRepos(c.user, in)
	}
	if len(rs) == 0 {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	from, to := s.paginate(c, len(rs))
	out := []any{}
	for _, r := range rs[from:to] {
		out = append(out, s.repoJSON(r, false))
	}
	s.writeJSON(c, http.StatusOK, obj{"total_count": len(rs), "repository_selection": in.Selection, "repositories": out})
}

// serveWebPage serves github.com's page of an issue or pull request
// (/{owner}/{repo}/issues/{n}, /{owner}/{repo}/pull/{n}) as a minimal HTML
// page with its title, state and description, so that html_url links work
// when WebURL is the Sim itself. It reports whether path was such a page.
func (s *Sim) serveWebPage(w http.ResponseWriter, r *http.Request, path string) bool {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	if r.Method != http.MethodGet || len(parts) != 4 || (parts[2] != "issues" && parts[2] != "pull") {
		return false
	}
	n, err := strconv.Atoi(parts[3])
	if err != nil {
		return false
	}
	s.mu.Lock()
	var title, state, body, kind string
	found := false
	if rp := s.repos[lower(parts[0]+"/"+parts[1])]; rp != nil {
		if is := rp.issues[n]; is != nil && !is.Deleted && (is.PR != nil) == (parts[2] == "pull") {
			found, title, state, body = true, is.Title, is.State, is.Body
			kind = "Issue"
			if is.PR != nil {
				kind = "Pull request"
			}
		}
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if !found {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, "<!doctype html><title>Page not found · GitHub</title><p>This is not the web page you are looking for.</p>\n")
		return true
	}
	fmt.Fprintf(w, "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>%s · %s #%d · %s/%s</title></head><body>\n<h1>%s <span>#%d</span></h1>\n<p>%s · %s</p>\n<pre>%s</pre>\n</body></html>\n",
		html.EscapeString(title), kind, n, html.EscapeString(parts[0]), html.EscapeString(parts[1]),
		html.EscapeString(title), n, kind, html.EscapeString(state), html.EscapeString(body))
	return true
}
