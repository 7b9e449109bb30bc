// Package setup creates ownershipbot's GitHub App with GitHub's App Manifest
// flow: a local page posts the manifest to GitHub, GitHub redirects back
// with a code, and the code is exchanged for the App's id, webhook secret and
// private key, which are written to an env file. Nobody copies a key by hand.
package setup

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"
)

// DefaultName is the App name proposed by default; GitHub requires App names
// to be unique, so an org can pass its own (e.g. "acme-ownershipbot").
const DefaultName = "ownershipbot"

// DefaultHomepage is the manifest's `url`, the App's public page.
const DefaultHomepage = "https://github.com/ownershipbot/ownershipbot"

// implicitEvents are sent to every GitHub App; GitHub does not let a manifest
// subscribe to them, so they stay out of default_events.
var implicitEvents = map[string]bool{
	"installation":              true,
	"installation_repositories": true,
	"ping":                      true,
	"github_app_authorization":  true,
	"installation_target":       true,
	"meta":                      true,
}

// Manifest is a GitHub App manifest, as posted to /settings/apps/new.
type Manifest struct {
	Name           string         `json:"name"`
	URL            string         `json:"url"`
	Description    string         `json:"description"`
	HookAttributes HookAttributes `json:"hook_attributes"`
	RedirectURL    string         `json:"redirect_url,omitempty"`
	// CallbackURLs are where GitHub sends a person back after "Sign in with
	// GitHub" on the leaders' page.
	CallbackURLs       []string          `json:"callback_urls,omitempty"`
	Public             bool              `json:"public"`
	DefaultPermissions map[string]string `json:"default_permissions"`
	DefaultEvents      []string          `json:"default_events"`
}

// HookAttributes is the App's webhook configuration.
type HookAttributes struct {
	URL    string `json:"url"`
	Active bool   `json:"active"`
}

// ManifestOptions are the inputs of NewManifest. Events and Permissions come
// from the app's handler registry (app.Events and app.Permissions), so the
// App never asks for more, or less, than the code uses.
type ManifestOptions struct {
	Name        string            // [DefaultName]
	Homepage    string            // [DefaultHomepage]
	WebhookURL  string            // where GitHub sends webhooks: https://HOST/webhook
	RedirectURL string            // where GitHub sends the browser back with the code; "" for none
	PageURL     string            // the leaders' page's public address; its /auth/callback becomes the sign-in callback
	Events      []string          // webhook events the handlers use
	Permissions map[string]string // permission name -> "read" or "write"
}

// NewManifest builds the App manifest: a private App with exactly the given
// permissions and the subscribable subset of the given events.
func NewManifest(o ManifestOptions) Manifest {
	if o.Name == "" {
		o.Name = DefaultName
	}
	if o.Homepage == "" {
		o.Homepage = DefaultHomepage
	}
	events := []string{}
	seen := map[string]bool{}
	for _, e := range o.Events {
		if !implicitEvents[e] && !seen[e] {
			seen[e] = true
			events = append(events, e)
		}
	}
	sort.Strings(events)
	perms := map[string]string{}
	for k, v := range o.Permissions {
		perms[k] = v
	}
	return Manifest{
		Name:        o.Name,
		URL:         o.Homepage,
		Description: "Asks every issue and pull request for an owner and a rationale, and measures who raises product-level concerns.",
		HookAttributes: HookAttributes{
			URL: o.WebhookURL, Active: true,
		},
		RedirectURL:        o.RedirectURL,
		CallbackURLs:       callbackURLs(o.PageURL),
		Public:             false,
		DefaultPermissions: perms,
		DefaultEvents:      events,
	}
}

// JSON renders the manifest indented, with a trailing newline (map keys are
// sorted by encoding/json, so the output is stable).
func (m Manifest) JSON() []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		panic(err) // only strings, bools and maps of strings: cannot fail
	}
	return buf.Bytes()
}

// Endpoints are the GitHub addresses the flow uses.
type Endpoints struct {
	Web *url.URL // https://github.com or https://HOST of GitHub Enterprise Server
	API *url.URL // REST base with a trailing slash
}

// ResolveEndpoints derives the REST base from the web address: github.com
// has https://api.github.com/, GitHub Enterprise Server https://HOST/api/v3/.
// apiOverride (GITHUB_API_URL) wins when set.
func ResolveEndpoints(githubURL, apiOverride string) (Endpoints, error) {
	if githubURL == "" {
		githubURL = "https://github.com"
	}
	web, err := url.Parse(strings.TrimRight(githubURL, "/"))
	if err != nil || (web.Scheme != "https" && web.Scheme != "http") || web.Host == "" || (web.Path != "" && web.Path != "/") {
		return Endpoints{}, fmt.Errorf("--github-url %q is not a GitHub address such as https://github.com or https://github.example.com", githubURL)
	}
	web.Path = ""
	var api *url.URL
	switch {
	case apiOverride != "":
		api, err = url.Parse(apiOverride)
		if err != nil || api.Host == "" || (api.Scheme != "https" && api.Scheme != "http") {
			return Endpoints{}, fmt.Errorf("GITHUB_API_URL %q is not an http(s) URL", apiOverride)
		}
	case strings.EqualFold(web.Hostname(), "github.com"):
		api, _ = url.Parse("https://api.github.com/")
	default:
		api = &url.URL{Scheme: web.Scheme, Host: web.Host, Path: "/api/v3/"}
	}
	if !strings.HasSuffix(api.Path, "/") {
		api.Path += "/"
	}
	return Endpoints{Web: web, API: api}, nil
}

// NewAppURL is where the manifest is posted: the personal account's or the
// organization's "new GitHub App" page, with the state to check on return.
func (e Endpoints) NewAppURL(org, state string) string {
	u := *e.Web
	if org != "" {
		u.Path = "/organizations/" + url.PathEscape(org) + "/settings/apps/new"
	} else {
		u.Path = "/settings/apps/new"
	}
	u.RawQuery = url.Values{"state": {state}}.Encode()
	return u.String()
}

// callbackURLs is the sign-in callback of the page at pageURL, if any.
func callbackURLs(pageURL string) []string {
	if pageURL == "" {
		return nil
	}
	return []string{strings.TrimRight(pageURL, "/") + "/auth/callback"}
}
