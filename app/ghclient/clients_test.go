package ghclient_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/ownershipbot/ownershipbot/app/ghclient"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// world is a simulated GitHub with one installation on acme/web, counting
// the requests that reach it.
type world struct {
	sim     *githubsim.Sim
	sent    atomic.Int64
	url     string
	install int64
}

func newWorld(t *testing.T, opts githubsim.Options) *world {
	t.Helper()
	w := &world{sim: githubsim.New(opts)}
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		w.sent.Add(1)
		w.sim.ServeHTTP(rw, r)
	}))
	t.Cleanup(srv.Close)
	w.url = srv.URL
	w.sim.SetAPIURL(srv.URL)
	if err := w.sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	id, _, err := w.sim.InstallApp("alice", "acme")
	if err != nil {
		t.Fatal(err)
	}
	w.install = id
	return w
}

func (w *world) clients(t *testing.T, key []byte) *ghclient.Clients {
	t.Helper()
	c, _ := w.clientsLogged(t, key, slog.New(slog.NewTextHandler(io.Discard, nil)))
	return c
}

func (w *world) clientsLogged(t *testing.T, key []byte, log *slog.Logger) (*ghclient.Clients, *metrics.Metrics) {
	t.Helper()
	m := metrics.New(prometheus.NewRegistry())
	c, err := ghclient.New(ghclient.Options{AppID: 1, PrivateKey: key, BaseURL: w.url, RetryBase: time.Millisecond, Metrics: m, Log: log})
	if err != nil {
		t.Fatal(err)
	}
	return c, m
}

func getRepo(t *testing.T, c *ghclient.Clients, id int64) error {
	t.Helper()
	client, err := c.Installation(id)
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = client.Repositories.Get(context.Background(), "acme", "web")
	return err
}

func TestRevokedTokenIsRefreshedOnce(t *testing.T) {
	w := newWorld(t, githubsim.Options{})
	c := w.clients(t, w.sim.PrivateKeyPEM())
	if err := getRepo(t, c, w.install); err != nil {
		t.Fatal(err)
	}
	w.sim.RevokeTokens()
	if err := getRepo(t, c, w.install); err != nil {
		t.Fatalf("after the cached token was revoked: %v, want a fresh token and success", err)
	}
	if got := w.sim.TokensIssued(); got != 2 {
		t.Fatalf("%d tokens issued, want 2 (one, then one fresh after the 401)", got)
	}
	if err := getRepo(t, c, w.install); err != nil {
		t.Fatalf("with the fresh token: %v", err)
	}
	if got := w.sim.TokensIssued(); got != 2 {
		t.Fatalf("%d tokens issued, want the fresh token reused", got)
	}
}

func TestRevokedAppFailsPermanently(t *testing.T) {
	w := newWorld(t, githubsim.Options{})
	other, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	key := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(other)})
	var logged bytes.Buffer
	c, m := w.clientsLogged(t, key, slog.New(slog.NewTextHandler(&logged, nil)))
	for range 3 {
		err = getRepo(t, c, w.install)
		if err == nil || !ghclient.RevokedApp(err) || !ghclient.IsPermanent(err) {
			t.Fatalf("token exchange refused with 401: err %v, want one reported as a revoked App and permanent", err)
		}
	}
	if lines := strings.Count(logged.String(), "refuses the App's credentials"); lines != 1 {
		t.Fatalf("%d log lines about the refused App after 3 failures, want 1:\n%s", lines, logged.String())
	}
	refused := testutil.ToFloat64(m.GitHubRequests.WithLabelValues("POST", "/app/installations/{installation_id}/access_tokens", "401"))
	if refused != 3 {
		t.Fatalf("ownershipbot_github_requests_total counts %v refused token exchanges, want 3", refused)
	}
	if got := testutil.ToFloat64(m.AppCredentialsRefused); got != 1 {
		t.Fatalf("ownershipbot_github_app_credentials_refused = %v while GitHub refuses the App, want 1", got)
	}
}

func TestAppLoginIsLearnedOnceFromGetApp(t *testing.T) {
	w := newWorld(t, githubsim.Options{AppSlug: "acme-ownershipbot"})
	c := w.clients(t, w.sim.PrivateKeyPEM())
	for range 3 {
		login, err := c.AppLogin(context.Background())
		if err != nil || login != "acme-ownershipbot[bot]" {
			t.Fatalf("AppLogin = %q, %v; want acme-ownershipbot[bot]", login, err)
		}
	}
	asked := 0
	for _, r := range w.sim.Requests() {
		if r.Method == "GET" && r.Route == "/app" {
			asked++
			if r.Status != 200 {
				t.Errorf("GET /app answered %d", r.Status)
			}
		}
	}
	if asked != 1 {
		t.Fatalf("GET /app asked %d times for three lookups, want once", asked)
	}
}

func TestRetryAfterOnlyHoldsBackEveryRequest(t *testing.T) {
	w := newWorld(t, githubsim.Options{RetryAfter: time.Minute})
	c := w.clients(t, w.sim.PrivateKeyPEM())
	if err := getRepo(t, c, w.install); err != nil { // token and client warmed up
		t.Fatal(err)
	}
	w.sim.InjectFault("GET", "/repos/{owner}/{repo}", 1, githubsim.RetryAfterOnly)
	before := w.sent.Load()
	start := time.Now()
	err := getRepo(t, c, w.install)
	if err == nil {
		t.Fatal("a 429 was answered with success")
	}
	if at := ghclient.RetryAt(err, start); at.Sub(start) < 59*time.Second {
		t.Fatalf("retry at %v after the 429, want Retry-After's 60 s", at.Sub(start))
	}
	for range 20 {
		if err := getRepo(t, c, w.install); err == nil {
			t.Fatal("a request succeeded during the Retry-After wait")
		} else if at := ghclient.RetryAt(err, time.Now()); at.Before(start.Add(59 * time.Second)) {
			t.Fatalf("a held-back request may retry at %v, before the wait ends", at.Sub(start))
		}
	}
	if sent := w.sent.Load() - before; sent != 1 {
		t.Fatalf("%d requests reached GitHub during a 60 s Retry-After, want only the one refused", sent)
	}
}

func TestCredentialsInTheAPIURLNeverAppearInErrors(t *testing.T) {
	w := newWorld(t, githubsim.Options{})
	w.url = strings.Replace(w.url, "http://", "http://proxyuser:pr0xyp4ss@", 1)
	c := w.clients(t, w.sim.PrivateKeyPEM())
	if err := getRepo(t, c, w.install); err != nil {
		t.Fatalf("through an API URL with credentials: %v", err)
	}
	w.sim.InjectFault("GET", "/repos/{owner}/{repo}", 10, githubsim.ServerError)
	err := getRepo(t, c, w.install)
	if err == nil {
		t.Fatal("want the injected 500s to fail the request")
	}
	if strings.Contains(err.Error(), "pr0xyp4ss") || strings.Contains(err.Error(), "proxyuser") {
		t.Fatalf("a GitHub error shows the API URL's credentials: %v", err)
	}
	if _, err := ghclient.New(ghclient.Options{BaseURL: "ftp://proxyuser:pr0xyp4ss@host/", PrivateKey: w.sim.PrivateKeyPEM()}); err == nil || strings.Contains(err.Error(), "pr0xyp4ss") {
		t.Fatalf("refusing a bad API URL: %v, want an error without its password", err)
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://api.github.com/":                "https://api.github.com/",
		"http://user:pass@ghe.local/api/v3/":     "http://xxxxx@ghe.local/api/v3/",
		"https://ghp_token@ghe.local/api/v3/":    "https://xxxxx@ghe.local/api/v3/",
		"http://user:pa%zzss@ghe.local:bad/api/": "http://xxxxx@ghe.local:bad/api/",
	} {
		if got := ghclient.RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}
