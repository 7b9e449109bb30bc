// Package ghclient gives ownershipbot its GitHub API clients: one per
// installation, authenticated as the App with a cached installation token,
// and every request counted, retried when that helps, and rate-limit aware.
package ghclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/metrics"
)

// DefaultBaseURL is GitHub.com's REST API.
const DefaultBaseURL = "https://api.github.com/"

// Options configures Clients.
type Options struct {
	AppID      int64
	PrivateKey []byte // PEM
	BaseURL    string // REST base URL; DefaultBaseURL when empty
	Metrics    *metrics.Metrics
	// Transport is the network transport; http.DefaultTransport when nil.
	Transport http.RoundTripper
	// Retries is the number of in-process tries of a failed request (default 3).
	Retries int
	// RetryBase is the first backoff (default 500ms); RetryMaxWait the longest
	// Retry-After honoured in-process (default 10s).
	RetryBase, RetryMaxWait time.Duration
	// UserAgent names the app in requests (default "ownershipbot").
	UserAgent string
	// Log receives one line when GitHub starts refusing the App itself.
	Log *slog.Logger
}

// Clients hands out one GitHub client per installation. Each keeps its own
// installation transport, so a token is fetched once and reused until it
// nears expiry.
type Clients struct {
	opts    Options
	base    *url.URL
	network http.RoundTripper // instrumented network transport

	mu      sync.Mutex
	clients map[int64]*github.Client

	revoked atomic.Bool // the last token exchange was refused with 401

	loginMu sync.Mutex
	login   string // the App's bot user, once learned
}

// New validates opts and returns Clients.
func New(opts Options) (*Clients, error) {
	if opts.BaseURL == "" {
		opts.BaseURL = DefaultBaseURL
	}
	if !strings.HasSuffix(opts.BaseURL, "/") {
		opts.BaseURL += "/"
	}
	base, err := url.Parse(opts.BaseURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http or https URL", RedactURL(opts.BaseURL))
	}
	// Credentials in the URL (for a proxy in front of GitHub) go in a header,
	// not in request URLs, which every error message repeats.
	var userinfo *url.Userinfo
	userinfo, base.User = base.User, nil
	opts.BaseURL = base.String()
	if opts.Transport == nil {
		opts.Transport = http.DefaultTransport
	}
	if opts.Retries <= 0 {
		opts.Retries = 3
	}
	if opts.RetryBase <= 0 {
		opts.RetryBase = 500 * time.Millisecond
	}
	if opts.RetryMaxWait <= 0 {
		opts.RetryMaxWait = 10 * time.Second
	}
	if opts.UserAgent == "" {
		opts.UserAgent = "ownershipbot"
	}
	if err := CheckPrivateKey(opts.PrivateKey); err != nil {
		return nil, err
	}
	return &Clients{
		opts:    opts,
		base:    base,
		network: &instrumentedTransport{next: basicAuth(opts.Transport, userinfo), basePath: strings.TrimSuffix(base.Path, "/"), metrics: opts.Metrics},
		clients: make(map[int64]*github.Client),
	}, nil
}

// Installation returns the client for one installation.
func (c *Clients) Installation(id int64) (*github.Client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if client, ok := c.clients[id]; ok {
		return client, nil
	}
	fresh := func() (http.RoundTripper, error) {
		itr, err := ghinstallation.New(c.network, c.opts.AppID, id, c.opts.PrivateKey)
		if err != nil {
			return nil, fmt.Errorf("authenticate installation %d: %w", id, err)
		}
		itr.BaseURL = strings.TrimSuffix(c.opts.BaseURL, "/")
		return itr, nil
	}
	itr, err := fresh()
	if err != nil {
		return nil, err
	}
	client := c.newClient(&refreshingTransport{cur: itr, fresh: fresh, exchanged: c.noteExchange})
	c.clients[id] = client
	return client, nil
}

// CheckPrivateKey says, in plain words, whether key can sign the App's JWTs,
// so that a command can refuse a bad key before it opens anything.
func CheckPrivateKey(key []byte) error {
	if _, err := jwt.ParseRSAPrivateKeyFromPEM(key); err != nil {
		return errors.New("the GitHub App private key could not be read as an RSA key in PEM format")
	}
	return nil
}

// AppLogin returns the login of the App's bot user, "<slug>[bot]": the
// author of the comments the App writes. It asks GitHub (GET /app, with
// the App's JWT) the first time, and remembers the answer.
func (c *Clients) AppLogin(ctx context.Context) (string, error) {
	c.loginMu.Lock()
	defer c.loginMu.Unlock()
	if c.login != "" {
		return c.login, nil
	}
	atr, err := ghinstallation.NewAppsTransport(c.network, c.opts.AppID, c.opts.PrivateKey)
	if err != nil {
		return "", err
	}
	atr.BaseURL = strings.TrimSuffix(c.opts.BaseURL, "/")
	app, _, err := c.newClient(atr).Apps.Get(ctx, "")
	if err != nil {
		return "", fmt.Errorf("learning the App's bot user (GET /app): %w", err)
	}
	if app.GetSlug() == "" {
		return "", errors.New("learning the App's bot user: GET /app gave no slug")
	}
	c.login = app.GetSlug() + "[bot]"
	return c.login, nil
}

// App returns a client authenticated as the App itself (its JWT), for the
// routes under /app such as the webhook delivery log.
func (c *Clients) App() (*github.Client, error) {
	tr, err := ghinstallation.NewAppsTransport(c.network, c.opts.AppID, c.opts.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("authenticate as the App: %w", err)
	}
	tr.BaseURL = strings.TrimSuffix(c.opts.BaseURL, "/")
	return c.newClient(tr), nil
}

// HTTP returns an installation's authenticated HTTP client, for GitHub's
// GraphQL API; its requests are counted, retried and rate-limit aware like
// the REST client's.
func (c *Clients) HTTP(installationID int64) (*http.Client, error) {
	client, err := c.Installation(installationID)
	if err != nil {
		return nil, err
	}
	return client.Client(), nil
}

// BaseURL is the REST base URL the clients use.
func (c *Clients) BaseURL() string { return c.opts.BaseURL }

// Forget drops an installation's client and token, for an uninstalled App.
func (c *Clients) Forget(id int64) {
	c.mu.Lock()
	delete(c.clients, id)
	c.mu.Unlock()
}

// Unauthenticated returns a client with no credentials, for the few routes
// that need none (the App manifest conversion).
func (c *Clients) Unauthenticated() *github.Client { return c.newClient(c.network) }

func (c *Clients) newClient(auth http.RoundTripper) *github.Client {
	rt := &retryTransport{next: auth, attempts: c.opts.Retries, base: c.opts.RetryBase, maxWait: c.opts.RetryMaxWait, sleep: sleepCtx}
	client := github.NewClient(&http.Client{Transport: rt, Timeout: 30 * time.Second})
	client.UserAgent = c.opts.UserAgent
	// Set the base as given: go-github's WithEnterpriseURLs would append
	// "api/v3/" to any URL, which breaks proxies and the simulated GitHub.
	base := *c.base
	client.BaseURL = &base
	return client
}

// refreshingTransport drops a cached installation token that GitHub refuses
// with 401 (revoked or rotated before its expiry) and tries the request once
// more with a fresh one.
type refreshingTransport struct {
	mu        sync.Mutex
	cur       http.RoundTripper
	fresh     func() (http.RoundTripper, error)
	exchanged func(err error) // told how each request's authentication went
}

func (t *refreshingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.roundTrip(req)
	t.exchanged(err)
	return resp, err
}

func (t *refreshingTransport) roundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	cur := t.cur
	t.mu.Unlock()
	resp, err := cur.RoundTrip(req)
	if err != nil || resp.StatusCode != http.StatusUnauthorized || (req.Body != nil && req.GetBody == nil) {
		return resp, err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	next, err := t.fresh()
	if err != nil {
		return nil, err
	}
	t.mu.Lock()
	if t.cur == cur { // another request may have refreshed already
		t.cur = next
	}
	t.mu.Unlock()
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		if retry.Body, err = req.GetBody(); err != nil {
			return nil, err
		}
	}
	return next.RoundTrip(retry)
}

// noteExchange logs once when GitHub starts refusing the App's JWT, and once
// more when it accepts it again, and sets
// ownershipbot_github_app_credentials_refused to match. Each refusal is also
// counted in ownershipbot_github_requests_total on the access_tokens route,
// status 401.
func (c *Clients) noteExchange(err error) {
	revoked := RevokedApp(err)
	if err != nil && !revoked {
		return // says nothing about the App's credentials
	}
	if c.revoked.Swap(revoked) == revoked {
		return
	}
	if c.opts.Metrics != nil {
		refused := 0.0
		if revoked {
			refused = 1
		}
		c.opts.Metrics.AppCredentialsRefused.Set(refused)
	}
	if c.opts.Log == nil {
		return
	}
	if revoked {
		c.opts.Log.Error("GitHub refuses the App's credentials (401 on the installation token exchange): the App was deleted, or its private key revoked or not the one configured; deliveries fail until GITHUB_APP_ID and the private key name a live App", "app_id", c.opts.AppID)
	} else {
		c.opts.Log.Info("GitHub accepts the App's credentials again", "app_id", c.opts.AppID)
	}
}

// RedactURL hides the user information (user name and password, or a token)
// of a URL, for logs and errors. A string that does not parse has everything
// before its last "@" past the scheme hidden.
func RedactURL(raw string) string {
	if u, err := url.Parse(raw); err == nil {
		if u.User == nil {
			return raw
		}
		u.User = nil
		scheme, rest, _ := strings.Cut(u.String(), "://")
		return scheme + "://xxxxx@" + rest
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	at := strings.LastIndex(rest, "@")
	if !ok || at < 0 {
		return raw
	}
	return scheme + "://xxxxx" + rest[at:]
}

// basicAuth sends userinfo as HTTP basic authentication on requests that
// carry no other credentials, as Go would from the URL itself.
func basicAuth(next http.RoundTripper, userinfo *url.Userinfo) http.RoundTripper {
	if userinfo == nil {
		return next
	}
	return roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.Header.Get("Authorization") != "" {
			return next.RoundTrip(req)
		}
		req = req.Clone(req.Context())
		pw, _ := userinfo.Password()
		req.SetBasicAuth(userinfo.Username(), pw)
		return next.RoundTrip(req)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }
