// Package ghclient gives ownershipbot its GitHub API clients: one per
// installation, authenticated as the App with a cached installation token,
// and every request counted, retried when that helps, and rate-limit aware.
package ghclient

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
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
		return nil, fmt.Errorf("GITHUB_API_URL %q is not an http or https URL", opts.BaseURL)
	}
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
	if _, err := ghinstallation.NewAppsTransport(opts.Transport, opts.AppID, opts.PrivateKey); err != nil {
		return nil, fmt.Errorf("the GitHub App private key could not be read as an RSA key in PEM format")
	}
	return &Clients{
		opts:    opts,
		base:    base,
		network: &instrumentedTransport{next: opts.Transport, basePath: strings.TrimSuffix(base.Path, "/"), metrics: opts.Metrics},
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
	itr, err := ghinstallation.New(c.network, c.opts.AppID, id, c.opts.PrivateKey)
	if err != nil {
		return nil, fmt.Errorf("authenticate installation %d: %w", id, err)
	}
	itr.BaseURL = strings.TrimSuffix(c.opts.BaseURL, "/")
	client := c.newClient(itr)
	c.clients[id] = client
	return client, nil
}

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
