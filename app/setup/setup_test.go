package setup

import (
	"context"
	"encoding/json"
	"errors"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

func TestResolveEndpoints(t *testing.T) {
	cases := []struct {
		name, github, override, web, api, newApp string
		org                                      string
	}{
		{"github.com for a person", "https://github.com", "", "https://github.com", "https://api.github.com/", "https://github.com/settings/apps/new?state=s", ""},
		{"github.com for an org", "https://github.com/", "", "https://github.com", "https://api.github.com/", "https://github.com/organizations/acme/settings/apps/new?state=s", "acme"},
		{"Enterprise Server", "https://ghe.example.com", "", "https://ghe.example.com", "https://ghe.example.com/api/v3/", "https://ghe.example.com/organizations/acme/settings/apps/new?state=s", "acme"},
		{"GITHUB_API_URL wins", "https://github.com", "http://127.0.0.1:9999", "https://github.com", "http://127.0.0.1:9999/", "https://github.com/settings/apps/new?state=s", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, err := ResolveEndpoints(c.github, c.override)
			if err != nil {
				t.Fatal(err)
			}
			if e.Web.String() != c.web || e.API.String() != c.api || e.NewAppURL(c.org, "s") != c.newApp {
				t.Errorf("got web %s api %s new %s", e.Web, e.API, e.NewAppURL(c.org, "s"))
			}
		})
	}
	for _, bad := range []string{"github.com", "ftp://github.com", "https://github.com/some/path"} {
		if _, err := ResolveEndpoints(bad, ""); err == nil {
			t.Errorf("ResolveEndpoints(%q) accepted a bad address", bad)
		}
	}
}

func TestManifestLeavesOutEventsEveryAppGets(t *testing.T) {
	m := NewManifest(ManifestOptions{
		WebhookURL:  "https://bot.example.com/webhook",
		Events:      []string{"issues", "installation", "push", "installation_repositories", "issue_comment", "issues"},
		Permissions: map[string]string{"issues": "write", "metadata": "read"},
	})
	if want := []string{"issue_comment", "issues", "push"}; !reflect.DeepEqual(m.DefaultEvents, want) {
		t.Errorf("default_events = %v, want %v", m.DefaultEvents, want)
	}
	if m.Public || m.Name != DefaultName || m.URL != DefaultHomepage || !m.HookAttributes.Active || m.RedirectURL != "" {
		t.Errorf("unexpected manifest %+v", m)
	}
	var generic map[string]any
	if err := json.Unmarshal(m.JSON(), &generic); err != nil {
		t.Fatal(err)
	}
	if _, ok := generic["redirect_url"]; ok {
		t.Errorf("a manifest without redirect must not carry redirect_url")
	}
}

func TestKeyFileFor(t *testing.T) {
	for in, want := range map[string]string{
		"ownershipbot.env":      "ownershipbot.private-key.pem",
		"/etc/bot/prod.env":     "/etc/bot/prod.private-key.pem",
		"secrets/ownershipbot":  "secrets/ownershipbot.private-key.pem",
		"secrets/bot.conf":      "secrets/bot.conf.private-key.pem",
		"secrets/.env":          "secrets/.env.private-key.pem",
		"dir.with.dots/bot.env": "dir.with.dots/bot.private-key.pem",
	} {
		if got := KeyFileFor(in); got != want {
			t.Errorf("KeyFileFor(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestListenAddressMustBeLoopback(t *testing.T) {
	_, err := Run(context.Background(), Options{ListenAddr: "0.0.0.0:0", EnvFile: filepath.Join(t.TempDir(), "x.env")})
	if err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Errorf("Run on 0.0.0.0 = %v, want a loopback error", err)
	}
}

// flowHarness runs Run against a simulated GitHub and plays the browser.
type flowHarness struct {
	t       *testing.T
	sim     *githubsim.Sim
	api     *httptest.Server
	envFile string
	page    chan string
	result  chan error
	res     Result
}

func startFlow(t *testing.T, envFile string, force bool) *flowHarness {
	t.Helper()
	sim := githubsim.New(githubsim.Options{AppID: 4242, AppSlug: "acme-ownershipbot"})
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)
	endpoints, err := ResolveEndpoints("https://github.com", api.URL)
	if err != nil {
		t.Fatal(err)
	}
	h := &flowHarness{t: t, sim: sim, api: api, envFile: envFile, page: make(chan string, 1), result: make(chan error, 1)}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	go func() {
		res, err := Run(ctx, Options{
			Manifest: ManifestOptions{
				Name: "acme-ownershipbot", WebhookURL: "https://bot.acme.example/webhook",
				Events:      []string{"installation", "issues", "issue_comment"},
				Permissions: map[string]string{"issues": "write", "metadata": "read"},
			},
			Endpoints: endpoints, Org: "acme", EnvFile: envFile, Force: force,
			Ready: func(u string) { h.page <- u },
		})
		h.res = res
		h.result <- err
	}()
	return h
}

var (
	formAction    = regexp.MustCompile(`<form action="([^"]+)" method="post">`)
	manifestField = regexp.MustCompile(`<input type="hidden" name="manifest" value="([^"]+)">`)
)

// browse fetches the local page and returns the form's action and manifest.
func (h *flowHarness) browse() (action *url.URL, manifest []byte) {
	h.t.Helper()
	var page string
	select {
	case page = <-h.page:
	case err := <-h.result:
		h.t.Fatalf("setup ended before serving its page: %v", err)
	}
	resp, err := http.Get(page)
	if err != nil {
		h.t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a, m := formAction.FindStringSubmatch(string(body)), manifestField.FindStringSubmatch(string(body))
	if resp.StatusCode != 200 || a == nil || m == nil {
		h.t.Fatalf("page: status %d, no form found:\n%s", resp.StatusCode, body)
	}
	action, err = url.Parse(html.UnescapeString(a[1]))
	if err != nil {
		h.t.Fatal(err)
	}
	return action, []byte(html.UnescapeString(m[1]))
}

// redirect plays GitHub sending the browser back to redirect_url.
func (h *flowHarness) redirect(redirectURL, code, state string) (int, string) {
	h.t.Helper()
	u, _ := url.Parse(redirectURL)
	u.RawQuery = url.Values{"code": {code}, "state": {state}}.Encode()
	resp, err := http.Get(u.String())
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestManifestFlowAgainstSimulatedGitHub(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "ownershipbot.env")
	h := startFlow(t, envFile, false)
	action, manifestJSON := h.browse()

	if action.Scheme != "https" || action.Host != "github.com" || action.Path != "/organizations/acme/settings/apps/new" {
		t.Errorf("form posts to %s, want https://github.com/organizations/acme/settings/apps/new", action)
	}
	state := action.Query().Get("state")
	if len(state) < 32 {
		t.Errorf("state %q is too short to be unguessable", state)
	}
	var m Manifest
	if err := json.Unmarshal(manifestJSON, &m); err != nil {
		t.Fatalf("manifest field is not JSON: %v", err)
	}
	if m.HookAttributes.URL != "https://bot.acme.example/webhook" || m.Public || m.Name != "acme-ownershipbot" ||
		!strings.HasPrefix(m.RedirectURL, "http://127.0.0.1:") || !strings.HasSuffix(m.RedirectURL, "/callback") {
		t.Errorf("unexpected manifest: %+v", m)
	}
	if !reflect.DeepEqual(m.DefaultEvents, []string{"issue_comment", "issues"}) {
		t.Errorf("default_events = %v", m.DefaultEvents)
	}

	// A redirect with another state is refused and saves nothing.
	if status, _ := h.redirect(m.RedirectURL, "whatever", "forged"); status != http.StatusBadRequest {
		t.Errorf("forged state answered %d, want 400", status)
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("a forged redirect wrote the env file")
	}

	code := h.sim.NewManifestCode(manifestJSON)
	status, body := h.redirect(m.RedirectURL, code, state)
	if status != http.StatusOK || !strings.Contains(body, "/apps/acme-ownershipbot/installations/new") {
		t.Fatalf("redirect answered %d:\n%s", status, body)
	}
	if err := <-h.result; err != nil {
		t.Fatal(err)
	}
	if h.res.InstallURL != "https://github.com/apps/acme-ownershipbot/installations/new" || h.res.AppID != 4242 {
		t.Errorf("result %+v", h.res)
	}

	conv := h.sim.ManifestConversions()
	if len(conv) != 1 || string(conv[0].Manifest) != string(manifestJSON) {
		t.Fatalf("the simulated GitHub saw %d conversions of another manifest", len(conv))
	}
	keyFile := filepath.Join(filepath.Dir(envFile), "ownershipbot.private-key.pem")
	wantEnv := "GITHUB_APP_ID=4242\n" +
		"GITHUB_WEBHOOK_SECRET=" + conv[0].Response["webhook_secret"].(string) + "\n" +
		"GITHUB_PRIVATE_KEY_PATH=" + keyFile + "\n" +
		"GITHUB_CLIENT_ID=" + conv[0].Response["client_id"].(string) + "\n" +
		"GITHUB_CLIENT_SECRET=" + conv[0].Response["client_secret"].(string) + "\n" +
		"GITHUB_API_URL=" + h.api.URL + "/\n"
	env := readPrivate(t, envFile)
	if _, after, _ := strings.Cut(env, "\n"); after != wantEnv {
		t.Errorf("env file:\n%s\nwant after the comment line:\n%s", env, wantEnv)
	}
	if key := readPrivate(t, keyFile); key != string(h.sim.PrivateKeyPEM()) {
		t.Errorf("private key file differs from the key GitHub handed out")
	}

	// Setup is over: its page no longer answers.
	if resp, err := http.Get(m.RedirectURL + "?" + url.Values{"code": {code}, "state": {state}}.Encode()); err == nil {
		resp.Body.Close()
		t.Errorf("the local page still answers after setup ended: %d", resp.StatusCode)
	}
}

func readPrivate(t *testing.T, path string) string {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestExistingFilesAreKeptWithoutForce(t *testing.T) {
	dir := t.TempDir()
	envFile := filepath.Join(dir, "ownershipbot.env")
	if err := os.WriteFile(envFile, []byte("GITHUB_APP_ID=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Run(context.Background(), Options{EnvFile: envFile})
	if !errors.Is(err, ErrExists) || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("Run over an existing env file = %v, want ErrExists naming --force", err)
	}
	// The key alone also blocks.
	os.Remove(envFile)
	os.WriteFile(KeyFileFor(envFile), []byte("old"), 0o600)
	if err := Preflight(envFile, false); !errors.Is(err, ErrExists) {
		t.Errorf("Preflight with an existing key = %v, want ErrExists", err)
	}
}

func TestForceOverwritesAndTightensModes(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "bot.env")
	os.WriteFile(envFile, []byte("old"), 0o644)
	os.WriteFile(KeyFileFor(envFile), []byte("old"), 0o644)
	h := startFlow(t, envFile, true)
	action, manifestJSON := h.browse()
	var m Manifest
	json.Unmarshal(manifestJSON, &m)
	if status, body := h.redirect(m.RedirectURL, h.sim.NewManifestCode(manifestJSON), action.Query().Get("state")); status != 200 {
		t.Fatalf("redirect answered %d: %s", status, body)
	}
	if err := <-h.result; err != nil {
		t.Fatal(err)
	}
	if env := readPrivate(t, envFile); !strings.Contains(env, "GITHUB_APP_ID=4242") {
		t.Errorf("env file not overwritten: %q", env)
	}
	readPrivate(t, KeyFileFor(envFile))
}

func TestRefusedCodeExchangeSavesNothing(t *testing.T) {
	envFile := filepath.Join(t.TempDir(), "ownershipbot.env")
	h := startFlow(t, envFile, false)
	action, manifestJSON := h.browse()
	var m Manifest
	json.Unmarshal(manifestJSON, &m)
	// A code GitHub never issued: the conversion answers 404.
	status, body := h.redirect(m.RedirectURL, "0000deadbeef", action.Query().Get("state"))
	if status != http.StatusBadGateway || !strings.Contains(body, "refused the code exchange") {
		t.Errorf("unknown code answered %d:\n%s", status, body)
	}
	if _, err := os.Stat(envFile); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a refused exchange wrote the env file")
	}
	// The flow still waits for a good redirect.
	if status, _ := h.redirect(m.RedirectURL, h.sim.NewManifestCode(manifestJSON), action.Query().Get("state")); status != 200 {
		t.Errorf("retry after a refused exchange answered %d", status)
	}
	if err := <-h.result; err != nil {
		t.Fatal(err)
	}
}
