package page_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app/page"
	"github.com/ownershipbot/ownershipbot/app/store/sqlite"
	"github.com/ownershipbot/ownershipbot/internal/demo"
)

// fixture is the demo org replayed once into a SQLite store, with the page
// served on its own, signing in through the simulated GitHub.
type fixture struct {
	demo  *demo.Demo
	store *sqlite.Store
	srv   *httptest.Server
	clock *testClock
}

type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *testClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var (
	fixtureOnce sync.Once
	shared      *fixture
	fixtureErr  error
	cleanup     []func()
)

func TestMain(m *testing.M) {
	code := m.Run()
	for i := len(cleanup) - 1; i >= 0; i-- { // last made, first undone
		cleanup[i]()
	}
	exit(code)
}

// loginOf is the login of the first person of the demo org with that
// author association.
func loginOf(f *fixture, association string) string {
	for _, p := range f.demo.Org.People {
		if p.Association == association {
			return p.Login
		}
	}
	panic("no " + association + " in the demo org")
}

func setup(t *testing.T) *fixture {
	t.Helper()
	fixtureOnce.Do(func() {
		dir, err := mkdirTemp()
		if err != nil {
			fixtureErr = err
			return
		}
		st, err := sqlite.Open(context.Background(), filepath.Join(dir, "page.db"))
		if err != nil {
			fixtureErr = err
			return
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fixtureErr = err
			return
		}
		d, err := demo.Start(context.Background(), demo.Options{Listener: ln, Store: st, SignIn: true,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Out: io.Discard})
		if err != nil {
			fixtureErr = err
			return
		}
		clock := &testClock{now: time.Now()}
		id, secret := d.Sim.OAuthClient()
		p, err := page.New(page.Options{Store: st, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock.Now,
			SignIn: &page.SignIn{ClientID: id, ClientSecret: secret, APIURL: d.SimURL + "/"}})
		if err != nil {
			fixtureErr = err
			return
		}
		srv := httptest.NewServer(p)
		d.Sim.SetOAuthCallback(srv.URL + "/auth/callback")
		shared = &fixture{demo: d, store: st, srv: srv, clock: clock}
		cleanup = append(cleanup, func() { st.Close() }, func() { d.Stop() }, srv.Close)
	})
	if fixtureErr != nil {
		t.Fatalf("replaying the demo org: %v", fixtureErr)
	}
	return shared
}

// mkdirTemp makes a directory of this test process's own: two runs at
// once (two worktrees, or CI beside a developer) must not share a store.
func mkdirTemp() (string, error) {
	dir, err := os.MkdirTemp("", "ownershipbot-page-test-")
	if err == nil {
		cleanup = append(cleanup, func() { os.RemoveAll(dir) })
	}
	return dir, err
}

// browser is a client that keeps cookies and shows redirects instead of
// following them.
func browser(t *testing.T) *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

func get(t *testing.T, c *http.Client, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// signIn goes through the web flow as login: the page sends the browser to
// GitHub, GitHub (the Sim, told who is signed in there) sends it back with
// a code and the state, and the page sets its session cookie.
func signIn(t *testing.T, f *fixture, login string) *http.Client {
	t.Helper()
	c := browser(t)
	code, _, h := get(t, c, f.srv.URL+"/signin")
	if code != http.StatusFound {
		t.Fatalf("/signin answered %d", code)
	}
	authorize, _ := url.Parse(h.Get("Location"))
	q := authorize.Query()
	if q.Get("client_id") == "" || len(q.Get("state")) < 16 {
		t.Fatalf("/signin sent the browser to %s, without a client id or a state", authorize)
	}
	q.Set("login", login)
	authorize.RawQuery = q.Encode()
	code, _, h = get(t, c, authorize.String())
	if code != http.StatusFound {
		t.Fatalf("GitHub's authorize answered %d", code)
	}
	code, _, h = get(t, c, h.Get("Location"))
	if code != http.StatusSeeOther || h.Get("Location") != "/" {
		t.Fatalf("the callback answered %d to %q", code, h.Get("Location"))
	}
	for _, ck := range c.Jar.Cookies(mustURL(f.srv.URL)) {
		if ck.Name == "ownershipbot_session" {
			return c
		}
	}
	t.Fatal("no session cookie after signing in")
	return nil
}

func mustURL(s string) *url.URL { u, _ := url.Parse(s); return u }

func TestWhoSeesWhat(t *testing.T) {
	f := setup(t)
	// rhea owns the org: she sees every repository, the private
	// acme/payments-api too. maya is a member who is not a collaborator
	// there: GitHub does not show her that private repository, so neither
	// does the page, by overview or by URL.
	admin, member := signIn(t, f, loginOf(f, "OWNER")), signIn(t, f, loginOf(f, "MEMBER"))
	_, overview, _ := get(t, admin, f.srv.URL+"/")
	for _, repo := range []string{"acme/web", "acme/cli", "acme/infra", "acme/payments-api"} {
		if !strings.Contains(overview, `data-repository="`+repo+`"`) {
			t.Errorf("the org's owner does not see %s on the overview", repo)
		}
	}
	if code, body, _ := get(t, admin, f.srv.URL+"/repos/acme/payments-api"); code != 200 || !strings.Contains(body, "in need of an owner") {
		t.Errorf("the org's owner gets %d for the private repository", code)
	}

	_, overview, _ = get(t, member, f.srv.URL+"/")
	if !strings.Contains(overview, `data-repository="acme/web"`) {
		t.Fatalf("a member does not see the public acme/web:\n%s", overview)
	}
	if strings.Contains(overview, "payments-api") {
		t.Errorf("a member without access sees the private acme/payments-api on the overview")
	}
	code, body, _ := get(t, member, f.srv.URL+"/repos/acme/payments-api")
	_, unknownBody := func() (int, string) { c, b, _ := get(t, member, f.srv.URL+"/repos/acme/no-such-repo"); return c, b }()
	if code != http.StatusNotFound || strings.Contains(body, "Refunds") {
		t.Errorf("a member without access gets %d for the private repository's URL", code)
	}
	if body != unknownBody {
		t.Errorf("the private repository answers differently from one that does not exist, so its name is confirmed")
	}
	// Totals count only what the person sees.
	if strings.Contains(overview, ">87<") {
		t.Errorf("the member's totals include the private repository's issues")
	}
}

func TestForgedOrExpiredSessionsAreRefused(t *testing.T) {
	f := setup(t)
	c := signIn(t, f, loginOf(f, "OWNER"))
	var session *http.Cookie
	for _, ck := range c.Jar.Cookies(mustURL(f.srv.URL)) {
		if ck.Name == "ownershipbot_session" {
			session = ck
		}
	}
	try := func(value string) (int, string) {
		req, _ := http.NewRequest("GET", f.srv.URL+"/repos/acme/payments-api", nil)
		req.AddCookie(&http.Cookie{Name: "ownershipbot_session", Value: value})
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := try(session.Value); code != 200 {
		t.Fatalf("the genuine session gets %d", code)
	}
	flipped := []byte(session.Value)
	flipped[len(flipped)/2] ^= 1
	for name, value := range map[string]string{
		"altered":     string(flipped),
		"made up":     "eyJ0IjoiZ2h1X2Zha2UiLCJlIjo5OTk5OTk5OTk5fQ",
		"empty":       "",
		"plain token": f.demo.Sim.UserToken(loginOf(f, "OWNER")),
	} {
		if code, body := try(value); code != http.StatusUnauthorized || strings.Contains(body, "Refunds") || !strings.Contains(body, "Sign in with GitHub") {
			t.Errorf("a %s session gets %d", name, code)
		}
	}
	f.clock.Add(8*time.Hour + time.Minute)
	defer f.clock.Add(-(8*time.Hour + time.Minute))
	if code, _ := try(session.Value); code != http.StatusUnauthorized {
		t.Errorf("a session past its 8 hours gets %d", code)
	}
}

func TestSignInChecksTheState(t *testing.T) {
	f := setup(t)
	c := browser(t)
	get(t, c, f.srv.URL+"/signin") // sets this browser's state cookie
	// A callback carrying someone else's code and state (login CSRF).
	other := browser(t)
	_, _, h := get(t, other, f.srv.URL+"/signin")
	authorize, _ := url.Parse(h.Get("Location"))
	q := authorize.Query()
	q.Set("login", loginOf(f, "MEMBER"))
	authorize.RawQuery = q.Encode()
	_, _, h = get(t, other, authorize.String())
	code, _, hdr := get(t, c, h.Get("Location"))
	if code != http.StatusBadRequest || strings.Contains(hdr.Get("Set-Cookie"), "ownershipbot_session=ey") {
		t.Errorf("a callback with another browser's state answered %d, Set-Cookie %q", code, hdr.Get("Set-Cookie"))
	}
}

func TestSessionCookieAndHeaders(t *testing.T) {
	f := setup(t)
	c := browser(t)
	_, _, h := get(t, c, f.srv.URL+"/signin")
	if sc := h.Get("Set-Cookie"); !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") {
		t.Errorf("state cookie %q lacks HttpOnly or SameSite", sc)
	}
	authorize, _ := url.Parse(h.Get("Location"))
	q := authorize.Query()
	q.Set("login", loginOf(f, "MEMBER"))
	authorize.RawQuery = q.Encode()
	_, _, h = get(t, c, authorize.String())
	_, _, h = get(t, c, h.Get("Location"))
	var sc string
	for _, v := range h.Values("Set-Cookie") {
		if strings.HasPrefix(v, "ownershipbot_session=") {
			sc = v
		}
	}
	if !strings.Contains(sc, "HttpOnly") || !strings.Contains(sc, "SameSite=Lax") || !strings.Contains(sc, "Expires=") {
		t.Errorf("session cookie %q lacks HttpOnly, SameSite or an expiry", sc)
	}
	_, _, h = get(t, c, f.srv.URL+"/")
	for _, want := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
		if h.Get(want) == "" {
			t.Errorf("the page lacks %s", want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
		t.Errorf("CSP %q is not strict", csp)
	}
	if h.Get("Cache-Control") != "no-store" {
		t.Errorf("a page with private titles may be cached: %q", h.Get("Cache-Control"))
	}
}

// No person's login or name appears anywhere on the page, on any page, for
// anyone: it never lists or ranks people.
func TestNoLoginAnywhere(t *testing.T) {
	f := setup(t)
	c := signIn(t, f, loginOf(f, "OWNER"))
	pages := []string{"/"}
	for _, r := range f.demo.Org.Repos {
		pages = append(pages, "/repos/"+f.demo.Org.Login+"/"+r.Name)
	}
	var words []string
	for _, p := range f.demo.Org.People {
		words = append(words, regexp.QuoteMeta(p.Login), regexp.QuoteMeta(p.Name))
		if first, _, ok := strings.Cut(p.Name, " "); ok && len(first) > 3 {
			words = append(words, regexp.QuoteMeta(first))
		}
	}
	person := regexp.MustCompile(`(?i)(^|[^a-z0-9-])(` + strings.Join(words, "|") + `)($|[^a-z0-9-])`)
	for _, p := range pages {
		code, body, _ := get(t, c, f.srv.URL+p)
		if code != 200 {
			t.Fatalf("%s answered %d", p, code)
		}
		if m := person.FindString(body); m != "" {
			i := strings.Index(body, m)
			t.Errorf("%s shows a person: %q in …%s…", p, m, body[max(0, i-80):min(len(body), i+80)])
		}
	}
}

// The repository page lists the open issues most in need, each linked to
// its GitHub page, saying what is missing and where the bot looked.
func TestRepositoryPageListsIssuesInNeed(t *testing.T) {
	f := setup(t)
	c := signIn(t, f, loginOf(f, "OWNER"))
	_, body, _ := get(t, c, f.srv.URL+"/repos/acme/web")
	items := regexp.MustCompile(`(?s)<li data-number="(\d+)">.*?<a href="([^"]+)">#(\d+) `).FindAllStringSubmatch(body, -1)
	if len(items) == 0 || len(items) > 10 {
		t.Fatalf("%d issues in need listed:\n%s", len(items), body)
	}
	for _, it := range items {
		if it[1] != it[3] || it[2] != f.demo.SimURL+"/acme/web/issues/"+it[1] {
			t.Errorf("issue #%s links to %s", it[1], it[2])
		}
		st, ok := f.demo.Sim.Issue("acme/web", atoi(it[1]))
		if !ok || st.State != "open" {
			t.Errorf("#%s is listed but not open", it[1])
		}
	}
	for _, want := range []string{"missing an owner", "Looked for an owner in assignees", "labels matching owner:*", "Looked for a reason in the title"} {
		if !strings.Contains(body, want) {
			t.Errorf("the repository page lacks %q", want)
		}
	}
}

func TestLoopbackOnlyWithoutSignIn(t *testing.T) {
	f := setup(t)
	p, err := page.New(page.Options{Store: f.store, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for addr, want := range map[string]int{"127.0.0.1:5000": 200, "[::1]:5000": 200, "203.0.113.7:5000": 403, "10.0.0.2:5000": 403} {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr, req.Host = addr, "127.0.0.1:8081"
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("a request from %s got %d, want %d", addr, rec.Code, want)
		}
		if want == 403 && strings.Contains(rec.Body.String(), "acme/") {
			t.Errorf("a request from %s saw repositories", addr)
		}
	}
	// DNS rebinding: a site whose name resolves to 127.0.0.1 makes a
	// browser on this machine ask the page with that site's name as Host.
	// The request comes from loopback, but the answer would go to the site.
	for host, want := range map[string]int{"127.0.0.1:8081": 200, "localhost:8081": 200, "[::1]:8081": 200, "LOCALHOST": 200,
		"demo.localhost:8081": 200, "attacker.example:8081": 403, "attacker.example": 403, "127.0.0.1.nip.io:8081": 403, "": 403} {
		req := httptest.NewRequest("GET", "/repos/acme/payments-api", nil)
		req.RemoteAddr = "127.0.0.1:5000"
		req.Host = host
		rec := httptest.NewRecorder()
		p.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("a loopback request for Host %q got %d, want %d", host, rec.Code, want)
		}
		if want == 403 && strings.Contains(rec.Body.String(), "acme/") {
			t.Errorf("a loopback request for Host %q saw repositories", host)
		}
	}
}

// Every heading of the overview's table links to an entry of "How each
// figure is counted" that exists, and says in its title what it counts.
func TestOverviewHeadingsLinkToTheirDefinitions(t *testing.T) {
	f := setup(t)
	c := signIn(t, f, loginOf(f, "OWNER"))
	_, body, _ := get(t, c, f.srv.URL+"/")
	head := regexp.MustCompile(`(?s)<thead>(.*?)</thead>`).FindStringSubmatch(body)
	if head == nil {
		t.Fatalf("the overview has no table heading:\n%s", body)
	}
	links := regexp.MustCompile(`<th [^>]*data-column="(\w+)"><a href="#([^"]+)" title="([^"]+)">`).FindAllStringSubmatch(head[1], -1)
	if len(links) != 10 {
		t.Errorf("%d of the overview's 10 figure columns link to a definition:\n%s", len(links), head[1])
	}
	for _, l := range links {
		if !strings.Contains(body, `id="`+l[2]+`"`) {
			t.Errorf("the %s heading links to #%s, which is not on the page", l[1], l[2])
		}
		if len(l[3]) < 20 {
			t.Errorf("the %s heading's title %q does not say what it counts", l[1], l[3])
		}
	}
}
