// Package page is the leaders' web page: an overview of ownership and
// participation per repository, and per repository the open issues most in
// need of an owner or a reason, linked to GitHub, with where the bot looked.
// It is server-rendered HTML from Go templates, with charts as inline SVG:
// no script, no build step, nothing loaded from elsewhere, readable on a
// phone. It never lists or ranks people, and shows no login.
//
// Who may see it: with SignIn configured, a person signs in with GitHub
// through the App's OAuth client and sees only the repositories GitHub says
// they can see among the App's installations; the session is a sealed,
// expiring cookie. Without SignIn, the page answers requests from loopback
// only. Every answer carries a strict Content-Security-Policy and the other
// secure headers.
package page

import (
	"embed"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
	"github.com/ownershipbot/ownershipbot/analysis/figures"
	"github.com/ownershipbot/ownershipbot/app/store"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static/page.css
var pageCSS []byte

// Options configure the page.
type Options struct {
	Store Store
	Log   *slog.Logger
	// SignIn turns on "Sign in with GitHub"; nil: loopback only.
	SignIn *SignIn
	// SecureCookies marks cookies Secure: set it unless the page is served
	// on loopback (browsers send Secure cookies over HTTPS only).
	SecureCookies bool
	Window        time.Duration    // comments created within it are counted [30 days]
	Now           func() time.Time // [time.Now]
}

// Page serves the leaders' page.
type Page struct {
	opts     Options
	mux      *http.ServeMux
	tmpl     map[string]*template.Template
	access   *githubAccess // nil without sign-in
	sessions *sessions
}

// New builds the page. It calls nothing outside the process.
func New(opts Options) (*Page, error) {
	if opts.Store == nil || opts.Log == nil {
		return nil, errors.New("page: Store and Log are required")
	}
	if opts.Window <= 0 {
		opts.Window = 30 * 24 * time.Hour
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	p := &Page{opts: opts, mux: http.NewServeMux(), tmpl: map[string]*template.Template{}}
	if opts.SignIn != nil {
		if opts.SignIn.ClientID == "" || opts.SignIn.ClientSecret == "" {
			return nil, errors.New("GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET go together: set both to sign in to the page, or neither")
		}
		var err error
		if p.access, err = newGitHubAccess(*opts.SignIn); err != nil {
			return nil, err
		}
		if p.sessions, err = newSessions(opts.SignIn.ClientSecret, sessionTTL); err != nil {
			return nil, err
		}
	}
	now := opts.Now
	funcs := template.FuncMap{
		"engineersShare":     func(c figures.Comments) figures.Share { return c.ProductLevelShareOf(analysis.RoleEngineer) },
		"productPeopleShare": func(c figures.Comments) figures.Share { return c.ProductLevelShareOf(analysis.RoleProduct) },
		"engineersShareOfProduct": func(c figures.Comments) figures.Share {
			return c.ShareOfProductLevel(analysis.RoleEngineer)
		},
		"peopleProduct": func(c figures.Comments) int { return c.People().Product },
		"reviewShare": func(c figures.Comments) figures.Share {
			p := c.People()
			return figures.Share{N: p.Product, Of: p.Total()}
		},
		"reviewCount":   func(c figures.Comments) int { return c.People().Total() },
		"concernBar":    concernBar,
		"concernLegend": concernLegend,
		"seriesLegend":  seriesLegend,
		"issueBar":      issueBar,
		"anchor":        anchor,
		"meaning":       func(name string) string { return figures.Definitions[name] },
		"trendChart":    func(rs []store.Rollup, w, h int) template.HTML { return trendChart(rs, now(), w, h) },
		"sparkline":     func(rs []store.Rollup) template.HTML { return sparkline(rs, now()) },
	}
	for _, name := range []string{"overview", "repo", "message"} {
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFiles, "templates/layout.html", "templates/"+name+".html")
		if err != nil {
			return nil, err
		}
		p.tmpl[name] = t
	}
	p.mux.HandleFunc("GET /{$}", p.overview)
	p.mux.HandleFunc("GET /repos/{owner}/{name}", p.repository)
	p.mux.HandleFunc("GET /static/page.css", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
		w.Header().Set("Cache-Control", "max-age=3600")
		w.Write(pageCSS)
	})
	p.mux.HandleFunc("GET /signin", p.signIn)
	p.mux.HandleFunc("GET /auth/callback", p.callback)
	p.mux.HandleFunc("POST /signout", p.signOut)
	p.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.message(w, r, http.StatusNotFound, false, "Not found", "There is no such page here.", "")
	})
	return p, nil
}

// ServeHTTP answers with the secure headers first, then the page.
func (p *Page) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
	if p.opts.SecureCookies {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		h.Set("Cache-Control", "no-store") // issue titles of private repositories
	}
	// Without sign-in, loopback is the only guard: the request must come
	// from this machine and name it. A web page elsewhere whose name an
	// attacker points at 127.0.0.1 (DNS rebinding) sends a browser here with
	// its own name as Host, and must not read the page.
	if p.access == nil && (!fromLoopback(r) || !loopbackHost(r.Host)) {
		p.message(w, r, http.StatusForbidden, false, "Loopback only",
			"Sign-in is not configured (GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET), so this page answers only on this machine, at localhost or a loopback address.", "")
		return
	}
	p.mux.ServeHTTP(w, r)
}

// loopbackHost reports whether a Host header names this machine:
// localhost (or a name under .localhost, which browsers never look up) or
// a loopback address, with or without a port.
func loopbackHost(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.TrimSuffix(strings.ToLower(strings.Trim(host, "[]")), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func fromLoopback(r *http.Request) bool {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// viewer says which repositories the request may see: every one without
// sign-in (loopback), else those of the signed-in person. ok is false when
// the answer was written (sign in first, or GitHub could not be asked).
func (p *Page) viewer(w http.ResponseWriter, r *http.Request) (visible func(string) bool, signedIn, ok bool) {
	if p.access == nil {
		return func(string) bool { return true }, false, true
	}
	c, err := r.Cookie(sessionCookie)
	var ss session
	if err == nil {
		ss, err = p.sessions.open(c.Value, p.opts.Now())
	}
	if err != nil {
		if c != nil {
			p.clearCookie(w, sessionCookie, "/")
		}
		p.message(w, r, http.StatusUnauthorized, false, "Sign in",
			"Sign in with GitHub to see the repositories you can see there.", "/signin")
		return nil, false, false
	}
	repos, err := p.access.repositories(r.Context(), ss.Token, p.opts.Now())
	if errors.Is(err, errTokenRefused) {
		p.clearCookie(w, sessionCookie, "/")
		p.message(w, r, http.StatusUnauthorized, false, "Sign in again",
			"GitHub no longer accepts this sign-in. Sign in again to go on.", "/signin")
		return nil, false, false
	}
	if err != nil {
		p.opts.Log.Warn("page: could not ask GitHub which repositories a person may see", "err", err)
		p.message(w, r, http.StatusBadGateway, true, "GitHub did not answer", err.Error()+"; try again in a moment.", "")
		return nil, true, false
	}
	return func(repo string) bool { return repos[strings.ToLower(repo)] }, true, true
}

// view is what every template gets.
type view struct {
	Title       string
	SignedIn    bool
	WindowDays  int
	TrendDays   int
	Names       names
	Definitions []definition

	Repos []repoFigures
	Total repoFigures
	Repo  repoFigures

	Heading, Text, SignInURL string
}

type names struct {
	OpenIssues, ClosedIssues, WithOwner, WithRationale, WithBoth, TimeToOwner string
	OpenPulls, LinkedToOwnedIssue, WithReason, ReviewDiscussion               string
	EngineersProductLevel, ProductPeopleProductLevel, EngineersShareOfProduct string
	ProductLevelComments, ConcernMix                                          string
}

type definition struct{ Name, ID, Text string }

// anchor is the id of a figure's entry in the overview's "How each figure
// is counted", where the table's short headings link to.
func anchor(name string) string {
	var b strings.Builder
	b.WriteString("def-")
	dash := false
	for _, r := range strings.ToLower(name) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if r != '\'' && !dash {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}

var figureNames = names{
	OpenIssues: figures.NameOpenIssues, ClosedIssues: figures.NameClosedIssues, WithOwner: figures.NameWithOwner,
	WithRationale: figures.NameWithRationale, WithBoth: figures.NameWithBoth, TimeToOwner: figures.NameTimeToOwner,
	OpenPulls: figures.NameOpenPulls, LinkedToOwnedIssue: figures.NameLinkedToOwnedIssue, WithReason: figures.NameWithReason,
	ReviewDiscussion:      figures.NameReviewDiscussionProduction,
	EngineersProductLevel: figures.NameEngineersProductLevel, ProductPeopleProductLevel: figures.NameProductPeopleProductLevel,
	EngineersShareOfProduct: figures.NameEngineersShareOfProduct, ProductLevelComments: figures.NameProductLevelComments,
	ConcernMix: figures.NameConcernMix,
}

var definitions = func() []definition {
	var out []definition
	for _, n := range []string{figures.NameOpenIssues, figures.NameWithOwner, figures.NameWithRationale, figures.NameWithBoth,
		figures.NameClosedIssues, figures.NameTimeToOwner, figures.NameOpenPulls, figures.NameLinkedToOwnedIssue, figures.NameWithReason,
		figures.NameReviewDiscussionProduction, figures.NameEngineersProductLevel, figures.NameProductPeopleProductLevel,
		figures.NameEngineersShareOfProduct, figures.NameProductLevelComments, figures.NameConcernMix} {
		out = append(out, definition{Name: n, ID: anchor(n), Text: figures.Definitions[n]})
	}
	return out
}()

func (p *Page) newView(title string, signedIn bool) view {
	return view{Title: title, SignedIn: signedIn, WindowDays: int(p.opts.Window.Hours() / 24), TrendDays: trendDays,
		Names: figureNames, Definitions: definitions}
}

func (p *Page) render(w http.ResponseWriter, status int, name string, v view) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	var b strings.Builder
	if err := p.tmpl[name].ExecuteTemplate(&b, "layout", v); err != nil {
		p.opts.Log.Error("page: rendering failed", "page", name, "err", err)
		http.Error(w, "The page could not be drawn.", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(status)
	w.Write([]byte(b.String()))
}

func (p *Page) message(w http.ResponseWriter, r *http.Request, status int, signedIn bool, heading, text, signIn string) {
	v := p.newView(heading, signedIn)
	v.Heading, v.Text, v.SignInURL = heading, text, signIn
	p.render(w, status, "message", v)
}

func (p *Page) overview(w http.ResponseWriter, r *http.Request) {
	visible, signedIn, ok := p.viewer(w, r)
	if !ok {
		return
	}
	repos, err := overview(r.Context(), p.opts.Store, visible, p.opts.Now(), p.opts.Window)
	if err != nil {
		p.storeFailed(w, r, signedIn, err)
		return
	}
	v := p.newView("Ownership and participation", signedIn)
	v.Repos, v.Total = repos, total(repos)
	p.render(w, http.StatusOK, "overview", v)
}

func (p *Page) repository(w http.ResponseWriter, r *http.Request) {
	visible, signedIn, ok := p.viewer(w, r)
	if !ok {
		return
	}
	name := strings.ToLower(r.PathValue("owner") + "/" + r.PathValue("name"))
	// A repository the person may not see answers exactly as one that does
	// not exist: its name is not confirmed either.
	repos, err := p.opts.Store.Repositories(r.Context())
	if err != nil {
		p.storeFailed(w, r, signedIn, err)
		return
	}
	known := false
	for _, repo := range repos {
		known = known || repo == name
	}
	if !known || !visible(name) {
		p.message(w, r, http.StatusNotFound, signedIn, "Not found", "There is no such repository here, or you cannot see it on GitHub.", "")
		return
	}
	figs, err := build(r.Context(), p.opts.Store, []string{name}, p.opts.Now(), p.opts.Window)
	if err != nil {
		p.storeFailed(w, r, signedIn, err)
		return
	}
	v := p.newView(name, signedIn)
	v.Repo = figs[0]
	p.render(w, http.StatusOK, "repo", v)
}

func (p *Page) storeFailed(w http.ResponseWriter, r *http.Request, signedIn bool, err error) {
	p.opts.Log.Error("page: the store did not answer", "err", err)
	p.message(w, r, http.StatusServiceUnavailable, signedIn, "The store did not answer", "The figures cannot be read right now; try again in a moment.", "")
}

// signIn starts the OAuth web flow: a random state in a short-lived cookie,
// checked when GitHub sends the person back, so that only the browser that
// started a sign-in can finish it (no login CSRF).
func (p *Page) signIn(w http.ResponseWriter, r *http.Request) {
	if p.access == nil {
		p.message(w, r, http.StatusNotFound, false, "Sign-in is off", "This page runs without sign-in, on loopback only.", "")
		return
	}
	state := newState()
	http.SetCookie(w, &http.Cookie{Name: stateCookie, Value: state, Path: "/auth/", MaxAge: 600,
		HttpOnly: true, Secure: p.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, p.access.authorizeURL(state), http.StatusFound)
}

func (p *Page) callback(w http.ResponseWriter, r *http.Request) {
	if p.access == nil {
		p.message(w, r, http.StatusNotFound, false, "Sign-in is off", "This page runs without sign-in, on loopback only.", "")
		return
	}
	c, err := r.Cookie(stateCookie)
	p.clearCookie(w, stateCookie, "/auth/")
	if err != nil || !sameState(c.Value, r.URL.Query().Get("state")) {
		p.message(w, r, http.StatusBadRequest, false, "Sign-in not finished",
			"This sign-in was not started from this browser, or took too long. Start again.", "/signin")
		return
	}
	if e := r.URL.Query().Get("error"); e != "" {
		p.message(w, r, http.StatusForbidden, false, "Sign-in not finished", "GitHub did not authorize the sign-in.", "/signin")
		return
	}
	token, err := p.access.exchange(r.Context(), r.URL.Query().Get("code"))
	if err != nil {
		p.opts.Log.Warn("page: a sign-in failed", "err", err)
		p.message(w, r, http.StatusBadGateway, false, "Sign-in not finished", err.Error()+". Start again.", "/signin")
		return
	}
	value, exp := p.sessions.seal(token, p.opts.Now())
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: value, Path: "/", Expires: exp,
		HttpOnly: true, Secure: p.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// signOut forgets the session. It is a POST, which a SameSite=Lax cookie
// does not accompany from another site.
func (p *Page) signOut(w http.ResponseWriter, r *http.Request) {
	p.clearCookie(w, sessionCookie, "/")
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (p *Page) clearCookie(w http.ResponseWriter, name, path string) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: "", Path: path, MaxAge: -1,
		HttpOnly: true, Secure: p.opts.SecureCookies, SameSite: http.SameSiteLaxMode})
}
