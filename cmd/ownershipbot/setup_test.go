package main

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/app"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// syncBuffer is a stdout the command writes to while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var openLine = regexp.MustCompile(`Open (http://127\.0\.0\.1:\d+/) in your browser`)

// setupRun runs `ownershipbot setup` in the background against a simulated
// GitHub, as a person would from a terminal.
type setupRun struct {
	stdout, stderr *syncBuffer
	code           chan int
}

func startSetup(t *testing.T, apiURL string, args ...string) *setupRun {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	r := &setupRun{stdout: &syncBuffer{}, stderr: &syncBuffer{}, code: make(chan int, 1)}
	env := &cmdEnv{stdin: strings.NewReader(""), stdout: r.stdout, stderr: r.stderr, getenv: func(k string) string {
		if k == "GITHUB_API_URL" {
			return apiURL
		}
		return ""
	}}
	done := make(chan struct{})
	go func() {
		defer close(done)
		r.code <- runSetup(ctx, env, args)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return r
}

// page waits for the local page's address on stdout.
func (r *setupRun) page(t *testing.T) string {
	t.Helper()
	for {
		if m := openLine.FindStringSubmatch(r.stdout.String()); m != nil {
			return m[1]
		}
		select {
		case code := <-r.code:
			t.Fatalf("setup exited %d before serving its page: %s", code, r.stderr)
		case <-time.After(10 * time.Millisecond):
		}
	}
}

// createApp plays the person's browser: open the page, press the button
// (post the form to the simulated GitHub's web side, which creates the App
// and redirects), and follow the redirect back to setup's page.
func createApp(t *testing.T, page string) (action *url.URL, manifest []byte) {
	t.Helper()
	resp, err := http.Get(page)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	a := regexp.MustCompile(`<form action="([^"]+)" method="post">`).FindSubmatch(body)
	m := regexp.MustCompile(`name="manifest" value="([^"]+)"`).FindSubmatch(body)
	if a == nil || m == nil {
		t.Fatalf("no manifest form on the page:\n%s", body)
	}
	action, _ = url.Parse(html.UnescapeString(string(a[1])))
	manifest = []byte(html.UnescapeString(string(m[1])))
	resp, err = http.PostForm(action.String(), url.Values{"manifest": {string(manifest)}})
	if err != nil {
		t.Fatal(err)
	}
	back, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Request.URL.String(), page+"callback?") {
		t.Fatalf("pressing the button ended at %s with %d:\n%s", resp.Request.URL, resp.StatusCode, back)
	}
	return action, manifest
}

func TestSetupCreatesTheAppAndSavesItsCredentials(t *testing.T) {
	sim := githubsim.New(githubsim.Options{AppID: 777, AppSlug: "acme-ownershipbot"})
	api := httptest.NewServer(sim)
	defer api.Close()
	dir := t.TempDir()
	envFile := filepath.Join(dir, "ownershipbot.env")

	// The simulated GitHub plays a GitHub Enterprise Server at its own address:
	// web pages at /, REST at /api/v3/, derived from --github-url alone.
	run := startSetup(t, "", "--github-url", api.URL, "--org", "acme", "--name", "acme-ownershipbot",
		"--webhook-url", "https://bot.acme.example/webhook", "--env-file", envFile)
	action, manifest := createApp(t, run.page(t))
	if code := <-run.code; code != exitOK {
		t.Fatalf("setup exited %d: %s", code, run.stderr)
	}

	if action.String() != api.URL+"/organizations/acme/settings/apps/new?state="+action.Query().Get("state") {
		t.Errorf("the button posts to %s", action)
	}
	// The manifest asks for exactly what the code's handlers use.
	var mf struct {
		DefaultEvents      []string          `json:"default_events"`
		DefaultPermissions map[string]string `json:"default_permissions"`
		HookAttributes     struct {
			URL string `json:"url"`
		} `json:"hook_attributes"`
		Public bool `json:"public"`
	}
	json.Unmarshal(manifest, &mf)
	var wantEvents []string
	for _, e := range app.Events() {
		if e != "installation" && e != "installation_repositories" {
			wantEvents = append(wantEvents, e)
		}
	}
	sort.Strings(wantEvents)
	if !reflect.DeepEqual(mf.DefaultEvents, wantEvents) || !reflect.DeepEqual(mf.DefaultPermissions, app.Permissions()) ||
		mf.HookAttributes.URL != "https://bot.acme.example/webhook" || mf.Public {
		t.Errorf("manifest %s does not match the app's events %v and permissions %v", manifest, app.Events(), app.Permissions())
	}

	out := run.stdout.String()
	if !strings.Contains(out, "Install it on your organization's repositories: https://github.com/apps/acme-ownershipbot/installations/new") {
		t.Errorf("no install link in:\n%s", out)
	}
	conv := sim.ManifestConversions()
	if len(conv) != 1 {
		t.Fatalf("%d code exchanges, want 1", len(conv))
	}
	env := readMode0600(t, envFile)
	keyFile := filepath.Join(dir, "ownershipbot.private-key.pem")
	for _, line := range []string{
		"GITHUB_APP_ID=777",
		"GITHUB_WEBHOOK_SECRET=" + conv[0].Response["webhook_secret"].(string),
		"GITHUB_PRIVATE_KEY_PATH=" + keyFile,
		"GITHUB_CLIENT_ID=" + conv[0].Response["client_id"].(string),
		"GITHUB_CLIENT_SECRET=" + conv[0].Response["client_secret"].(string),
		"GITHUB_API_URL=" + api.URL + "/api/v3/",
	} {
		if !strings.Contains(env, "\n"+line+"\n") {
			t.Errorf("env file lacks %q:\n%s", line, env)
		}
	}
	if readMode0600(t, keyFile) != string(sim.PrivateKeyPEM()) {
		t.Errorf("the private key file is not the key GitHub handed out")
	}
	if strings.Contains(out, conv[0].Response["webhook_secret"].(string)) || strings.Contains(out, conv[0].Response["client_secret"].(string)) || strings.Contains(out, "PRIVATE KEY") {
		t.Errorf("setup printed a secret:\n%s", out)
	}

	// Running it again does not overwrite what is saved...
	again := startSetup(t, "", "--github-url", api.URL, "--webhook-url", "https://bot.acme.example/webhook", "--env-file", envFile)
	if code := <-again.code; code != exitFailure || !strings.Contains(again.stderr.String(), "already exists; pass --force") {
		t.Errorf("setup over existing files exited %d: %s", code, again.stderr)
	}
	if strings.Contains(again.stdout.String(), "Open ") {
		t.Errorf("setup served its page although it could not save the result")
	}
	if readMode0600(t, envFile) != env {
		t.Errorf("the env file changed without --force")
	}

	// ...unless forced.
	forced := startSetup(t, "", "--github-url", api.URL, "--webhook-url", "https://bot.acme.example/webhook", "--env-file", envFile, "--force")
	createApp(t, forced.page(t))
	if code := <-forced.code; code != exitOK {
		t.Fatalf("setup --force exited %d: %s", code, forced.stderr)
	}
	if readMode0600(t, envFile) == env {
		t.Errorf("--force did not write the new App's credentials")
	}
}

func readMode0600(t *testing.T, path string) string {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("%s has mode %v, want 0600", path, st.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	return string(b)
}

func TestSetupUsage(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		says string
	}{
		{"help", []string{"--help"}, exitOK, ""},
		{"no webhook URL", nil, exitUsage, "--webhook-url is required"},
		{"webhook URL without scheme", []string{"--webhook-url", "bot.example.com/webhook"}, exitUsage, "is not an http(s) URL"},
		{"bad GitHub address", []string{"--webhook-url", "https://b.example/webhook", "--github-url", "github.com"}, exitUsage, "--github-url"},
		{"public listen address", []string{"--webhook-url", "https://b.example/webhook", "--listen-addr", "0.0.0.0:0", "--env-file", filepath.Join(t.TempDir(), "x.env")}, exitFailure, "loopback"},
		{"unknown flag", []string{"--webhook", "x"}, exitUsage, "flag provided but not defined"},
		{"stray argument", []string{"--webhook-url", "https://b.example/webhook", "now"}, exitUsage, "unexpected argument"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			env := &cmdEnv{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
			code := runSetup(context.Background(), env, c.args)
			if code != c.code || !strings.Contains(errb.String(), c.says) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errb.String(), c.code, c.says)
			}
			if c.code != exitOK && strings.Count(strings.TrimSpace(errb.String()), "\n") != 0 {
				t.Errorf("error is not one line: %q", errb.String())
			}
			if c.code == exitOK && !strings.Contains(out.String(), "--webhook-url") {
				t.Errorf("help does not list the flags: %q", out.String())
			}
		})
	}
}
