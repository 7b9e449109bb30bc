package setup

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Options configure Run.
type Options struct {
	Manifest   ManifestOptions // RedirectURL is filled in by Run
	Endpoints  Endpoints
	Org        string // create the App for this organization; "" for the person's account
	EnvFile    string // [ownershipbot.env]
	Force      bool   // overwrite an existing env file and key
	ListenAddr string // loopback address of the local page [127.0.0.1:0]
	HTTPClient *http.Client
	// Ready is called with the local page's URL once it serves.
	Ready func(pageURL string)
}

// Result is what Run wrote.
type Result struct {
	AppID          int64
	Slug           string
	HTMLURL        string
	InstallURL     string // HTMLURL + "/installations/new"
	EnvFile        string
	PrivateKeyFile string
}

// ErrExists means the env file or the key file is there and Force is off;
// errors.Is reports it for the errors Run and Preflight return.
var ErrExists = errors.New("file exists")

type existsError struct{ path string }

func (e existsError) Error() string        { return e.path + " already exists; pass --force to overwrite it" }
func (e existsError) Is(target error) bool { return target == ErrExists }

// KeyFileFor names the private key file written next to an env file:
// ownershipbot.env -> ownershipbot.private-key.pem.
func KeyFileFor(envFile string) string {
	base := envFile
	if name := filepath.Base(envFile); filepath.Ext(name) == ".env" && name != ".env" {
		base = strings.TrimSuffix(envFile, ".env")
	}
	return base + ".private-key.pem"
}

// Preflight checks, before anything is created on GitHub, that the results
// can be written: the files do not exist (unless force) and their directory does.
func Preflight(envFile string, force bool) error {
	for _, p := range []string{envFile, KeyFileFor(envFile)} {
		if _, err := os.Stat(p); err == nil {
			if !force {
				return existsError{p}
			}
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot check %s: %v", p, err)
		}
	}
	dir := filepath.Dir(envFile)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return fmt.Errorf("directory %s for the env file does not exist", dir)
	}
	return nil
}

// Run serves the local page, waits for GitHub's redirect, exchanges the code
// and writes the env file and private key. It returns when the App is
// created and saved, or when ctx ends.
func Run(ctx context.Context, o Options) (Result, error) {
	if o.EnvFile == "" {
		o.EnvFile = "ownershipbot.env"
	}
	if o.ListenAddr == "" {
		o.ListenAddr = "127.0.0.1:0"
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if err := checkLoopback(o.ListenAddr); err != nil {
		return Result{}, err
	}
	if err := Preflight(o.EnvFile, o.Force); err != nil {
		return Result{}, err
	}
	ln, err := net.Listen("tcp", o.ListenAddr)
	if err != nil {
		return Result{}, fmt.Errorf("cannot listen on %s for the local setup page: %v", o.ListenAddr, err)
	}
	base := "http://" + ln.Addr().String()
	state, err := randomState()
	if err != nil {
		ln.Close()
		return Result{}, err
	}
	f := &flow{opts: o, state: state, done: make(chan Result, 1)}
	f.opts.Manifest.RedirectURL = base + "/callback"
	srv := &http.Server{Handler: f.routes(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	defer func() {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		srv.Shutdown(shutdownCtx)
	}()
	if o.Ready != nil {
		o.Ready(base + "/")
	}
	select {
	case res := <-f.done:
		return res, nil
	case <-ctx.Done():
		return Result{}, errors.New("setup stopped before GitHub sent the browser back; nothing was written")
	}
}

func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("--listen-addr %q is not host:port", addr)
	}
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("--listen-addr %q must be a loopback address such as 127.0.0.1:0: the page hands out the App's credentials", addr)
	}
	return nil
}

func randomState() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot generate a random state: %v", err)
	}
	return hex.EncodeToString(b), nil
}

type flow struct {
	opts  Options
	state string
	done  chan Result

	mu       sync.Mutex
	finished bool
}

func (f *flow) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", f.page)
	mux.HandleFunc("GET /callback", f.callback)
	return mux
}

var pageTmpl = template.Must(template.New("page").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Create the {{.Name}} GitHub App</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}button{font-size:1.1em;padding:.5em 1em}code{background:#f3f3f3;padding:0 .2em}</style></head>
<body>
<h1>Create the {{.Name}} GitHub App</h1>
<p>This creates a private GitHub App on <strong>{{.Account}}</strong> that sends webhooks to <code>{{.Webhook}}</code> and asks for these permissions:
{{range $k, $v := .Permissions}}<code>{{$k}}: {{$v}}</code> {{end}}and these events: {{range .Events}}<code>{{.}}</code> {{end}}</p>
<form action="{{.Action}}" method="post">
<input type="hidden" name="manifest" value="{{.Manifest}}">
<button type="submit">Create the GitHub App on GitHub</button>
</form>
<p>GitHub then sends you back here; the App's id, webhook secret and private key are saved to <code>{{.EnvFile}}</code>.</p>
</body></html>
`))

func (f *flow) page(w http.ResponseWriter, r *http.Request) {
	m := NewManifest(f.opts.Manifest)
	account := "your personal account"
	if f.opts.Org != "" {
		account = "the organization " + f.opts.Org
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	pageTmpl.Execute(w, map[string]any{
		"Name": m.Name, "Account": account, "Webhook": m.HookAttributes.URL,
		"Permissions": m.DefaultPermissions, "Events": m.DefaultEvents,
		"Action":   f.opts.Endpoints.NewAppURL(f.opts.Org, f.state),
		"Manifest": string(m.JSON()), "EnvFile": f.opts.EnvFile,
	})
}

var doneTmpl = template.Must(template.New("done").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em}</style></head>
<body><h1>{{.Title}}</h1><p>{{.Text}}</p>{{if .Link}}<p><a href="{{.Link}}">Install the App on your repositories</a></p>{{end}}</body></html>
`))

func (f *flow) reply(w http.ResponseWriter, status int, title, text, link string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	doneTmpl.Execute(w, map[string]string{"Title": title, "Text": text, "Link": link})
}

func (f *flow) callback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	code, state := q.Get("code"), q.Get("state")
	if subtle.ConstantTimeCompare([]byte(state), []byte(f.state)) != 1 {
		f.reply(w, http.StatusBadRequest, "Wrong state", "This redirect does not come from the page ownershipbot setup served; nothing was saved. Start again from that page.", "")
		return
	}
	if code == "" || strings.ContainsAny(code, "/?#") {
		f.reply(w, http.StatusBadRequest, "No code", "GitHub's redirect carried no code; nothing was saved.", "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.finished {
		f.reply(w, http.StatusGone, "Already done", "The App was already created and saved by this setup.", "")
		return
	}
	res, err := f.convert(r.Context(), code)
	if err != nil {
		f.reply(w, http.StatusBadGateway, "Could not finish", err.Error(), "")
		return
	}
	f.finished = true
	f.reply(w, http.StatusOK, "The GitHub App "+res.Slug+" is ready",
		"Its credentials are saved in "+res.EnvFile+" and "+res.PrivateKeyFile+". You can close this page.", res.InstallURL)
	f.done <- res
}

// conversion is the part of GitHub's answer to the code exchange that setup keeps.
type conversion struct {
	ID            int64  `json:"id"`
	Slug          string `json:"slug"`
	HTMLURL       string `json:"html_url"`
	PEM           string `json:"pem"`
	WebhookSecret string `json:"webhook_secret"`
	// The App's OAuth client, for signing in to the leaders' page.
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
}

func (f *flow) convert(ctx context.Context, code string) (Result, error) {
	u := f.opts.Endpoints.API.JoinPath("app-manifests", code, "conversions")
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return Result{}, err
	}
	req.Header.Set("Accept", "application/vnd.github+json")
	req.Header.Set("X-GitHub-Api-Version", "2022-11-28")
	resp, err := f.opts.HTTPClient.Do(req)
	if err != nil {
		return Result{}, fmt.Errorf("could not reach GitHub at %s to exchange the code: %v", f.opts.Endpoints.API.Redacted(), err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return Result{}, fmt.Errorf("could not read GitHub's answer to the code exchange: %v", err)
	}
	if resp.StatusCode != http.StatusCreated && resp.StatusCode != http.StatusOK {
		return Result{}, fmt.Errorf("GitHub refused the code exchange with status %d (codes are valid once, for one hour); start again", resp.StatusCode)
	}
	var c conversion
	if err := json.Unmarshal(body, &c); err != nil || c.ID == 0 || c.PEM == "" || c.WebhookSecret == "" || c.HTMLURL == "" {
		return Result{}, errors.New("GitHub's answer to the code exchange lacks the App id, key, webhook secret or address")
	}
	return f.save(c)
}

func (f *flow) save(c conversion) (Result, error) {
	// Check again: the files may have appeared while the person was on GitHub.
	if err := Preflight(f.opts.EnvFile, f.opts.Force); err != nil {
		return Result{}, err
	}
	keyFile := KeyFileFor(f.opts.EnvFile)
	absKey, err := filepath.Abs(keyFile)
	if err != nil {
		return Result{}, err
	}
	if err := writePrivate(keyFile, []byte(c.PEM), f.opts.Force); err != nil {
		return Result{}, err
	}
	var env strings.Builder
	fmt.Fprintf(&env, "# GitHub App %s (%s), created by ownershipbot setup. Keep this file and the key private.\n", c.Slug, c.HTMLURL)
	fmt.Fprintf(&env, "GITHUB_APP_ID=%s\n", strconv.FormatInt(c.ID, 10))
	fmt.Fprintf(&env, "GITHUB_WEBHOOK_SECRET=%s\n", c.WebhookSecret)
	fmt.Fprintf(&env, "GITHUB_PRIVATE_KEY_PATH=%s\n", absKey)
	if c.ClientID != "" && c.ClientSecret != "" {
		fmt.Fprintf(&env, "GITHUB_CLIENT_ID=%s\n", c.ClientID)
		fmt.Fprintf(&env, "GITHUB_CLIENT_SECRET=%s\n", c.ClientSecret)
	}
	if api := f.opts.Endpoints.API.String(); api != "https://api.github.com/" {
		fmt.Fprintf(&env, "GITHUB_API_URL=%s\n", api)
	}
	if err := writePrivate(f.opts.EnvFile, []byte(env.String()), f.opts.Force); err != nil {
		return Result{}, err
	}
	html := strings.TrimRight(c.HTMLURL, "/")
	return Result{
		AppID: c.ID, Slug: c.Slug, HTMLURL: html, InstallURL: html + "/installations/new",
		EnvFile: f.opts.EnvFile, PrivateKeyFile: keyFile,
	}, nil
}

// writePrivate writes a file only its owner can read (0600), refusing to
// replace an existing one unless force.
func writePrivate(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if !force {
		flags |= os.O_EXCL
	}
	fh, err := os.OpenFile(path, flags, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return existsError{path}
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	// An existing file overwritten with --force keeps its old mode otherwise.
	if err := fh.Chmod(0o600); err != nil {
		fh.Close()
		return fmt.Errorf("cannot restrict %s to its owner: %v", path, err)
	}
	if _, err := fh.Write(data); err != nil {
		fh.Close()
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	if err := fh.Close(); err != nil {
		return fmt.Errorf("cannot write %s: %v", path, err)
	}
	return nil
}
