package page

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v66/github"
)

// SignIn configures "Sign in with GitHub" through the App's own OAuth
// client (its client id and secret, on the App's settings page). A person
// then sees only the repositories they can see on GitHub among the App's
// installations.
type SignIn struct {
	ClientID, ClientSecret string
	// APIURL is GitHub's REST base (https://api.github.com/, or
	// https://HOST/api/v3/); the web address for the OAuth pages follows
	// from it.
	APIURL     string
	HTTPClient *http.Client // [a client with a 10 s timeout]
}

// Cookie names. The state cookie lives only for the round trip to GitHub.
const (
	sessionCookie = "ownershipbot_session"
	stateCookie   = "ownershipbot_state"
)

// sessionTTL is how long a sign-in lasts, as long as GitHub's user access
// tokens; accessTTL is how long the list of repositories a person may see is
// trusted before GitHub is asked again.
const (
	sessionTTL = 8 * time.Hour
	accessTTL  = 5 * time.Minute
)

// webURL is GitHub's web address for a REST base: github.com for
// api.github.com, https://HOST for GitHub Enterprise Server's
// https://HOST/api/v3/, and the same host otherwise (a simulated GitHub).
func webURL(apiURL string) (*url.URL, error) {
	u, err := url.Parse(apiURL)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not a URL", apiURL)
	}
	web := &url.URL{Scheme: u.Scheme, Host: u.Host}
	if strings.EqualFold(u.Hostname(), "api.github.com") {
		web.Host = "github.com"
	}
	return web, nil
}

// githubAccess asks GitHub, with a person's token, which repositories the
// person can see among the App's installations, and remembers the answer for
// accessTTL.
type githubAccess struct {
	cfg    SignIn
	web    *url.URL
	api    *url.URL
	client *http.Client

	mu    sync.Mutex
	cache map[[32]byte]accessEntry // by the token's hash: the token itself is never a key
}

type accessEntry struct {
	repos   map[string]bool
	fetched time.Time
}

func newGitHubAccess(cfg SignIn) (*githubAccess, error) {
	web, err := webURL(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	api, err := url.Parse(cfg.APIURL)
	if err != nil {
		return nil, err
	}
	if !strings.HasSuffix(api.Path, "/") {
		api.Path += "/"
	}
	client := cfg.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Second}
	}
	return &githubAccess{cfg: cfg, web: web, api: api, client: client, cache: map[[32]byte]accessEntry{}}, nil
}

// authorizeURL is where the browser goes to sign in. No redirect_uri: GitHub
// sends the person back to the App's registered callback URL.
func (g *githubAccess) authorizeURL(state string) string {
	u := *g.web
	u.Path = "/login/oauth/authorize"
	u.RawQuery = url.Values{"client_id": {g.cfg.ClientID}, "state": {state}}.Encode()
	return u.String()
}

// errTokenRefused means GitHub no longer takes the person's token.
var errTokenRefused = errors.New("GitHub refused the token")

// exchange trades the callback's code for a user access token.
func (g *githubAccess) exchange(ctx context.Context, code string) (string, error) {
	u := *g.web
	u.Path = "/login/oauth/access_token"
	form := url.Values{"client_id": {g.cfg.ClientID}, "client_secret": {g.cfg.ClientSecret}, "code": {code}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return "", fmt.Errorf("could not reach GitHub to finish signing in: %w", errors.Unwrap(err))
	}
	defer resp.Body.Close()
	var answer struct {
		AccessToken string `json:"access_token"`
		Error       string `json:"error"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &answer) != nil {
		return "", fmt.Errorf("GitHub answered the sign-in with status %d", resp.StatusCode)
	}
	if answer.AccessToken == "" {
		// GitHub's error codes (bad_verification_code, ...) are safe to show.
		return "", fmt.Errorf("GitHub refused the sign-in: %s", answer.Error)
	}
	return answer.AccessToken, nil
}

// repositories lists, lower-cased, the repositories of the App's
// installations the token's person can see, from the cache when fresh.
func (g *githubAccess) repositories(ctx context.Context, token string, now time.Time) (map[string]bool, error) {
	key := sha256.Sum256([]byte(token))
	g.mu.Lock()
	e, ok := g.cache[key]
	g.mu.Unlock()
	if ok && now.Sub(e.fetched) < accessTTL {
		return e.repos, nil
	}
	gh := github.NewClient(g.client).WithAuthToken(token)
	gh.BaseURL = g.api
	repos := map[string]bool{}
	opts := &github.ListOptions{PerPage: 100}
	for {
		ins, resp, err := gh.Apps.ListUserInstallations(ctx, opts)
		if err != nil {
			return nil, accessError(err)
		}
		for _, in := range ins {
			ropts := &github.ListOptions{PerPage: 100}
			for {
				list, rresp, err := gh.Apps.ListUserRepos(ctx, in.GetID(), ropts)
				if err != nil {
					return nil, accessError(err)
				}
				for _, r := range list.Repositories {
					repos[strings.ToLower(r.GetFullName())] = true
				}
				if rresp.NextPage == 0 {
					break
				}
				ropts.Page = rresp.NextPage
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opts.Page = resp.NextPage
	}
	g.mu.Lock()
	for k, old := range g.cache { // forget stale entries as new ones come
		if now.Sub(old.fetched) >= accessTTL {
			delete(g.cache, k)
		}
	}
	g.cache[key] = accessEntry{repos: repos, fetched: now}
	g.mu.Unlock()
	return repos, nil
}

// accessError keeps GitHub's answer and drops the request's URL, which
// could hold nothing secret but reads badly.
func accessError(err error) error {
	var ghErr *github.ErrorResponse
	if errors.As(err, &ghErr) && ghErr.Response != nil {
		if ghErr.Response.StatusCode == http.StatusUnauthorized {
			return errTokenRefused
		}
		return fmt.Errorf("GitHub answered %d when asked which repositories you can see", ghErr.Response.StatusCode)
	}
	return errors.New("could not reach GitHub to ask which repositories you can see")
}

// newState returns a random value for the OAuth state: the sign-in is
// finished only by the browser that started it.
func newState() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func sameState(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
