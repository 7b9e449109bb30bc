package githubsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

type manifestCode struct {
	manifest json.RawMessage
	used     bool
}

// ManifestConversion records one POST /app-manifests/{code}/conversions.
type ManifestConversion struct {
	Code string
	// Manifest is the manifest given to NewManifestCode (nil for codes
	// accepted through Options.AcceptAnyManifestCode).
	Manifest json.RawMessage
	// Response is what the Sim answered: id, slug, pem, webhook_secret, ...
	Response map[string]any
}

// NewManifestCode stands for the person's browser in GitHub's App Manifest
// flow: it takes the manifest posted to github.com/settings/apps/new and
// returns the temporary code GitHub appends to the redirect URL.
func (s *Sim) NewManifestCode(manifest []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	code := randomHex(10)
	s.manifests[code] = &manifestCode{manifest: append(json.RawMessage(nil), manifest...)}
	return code
}

// ManifestConversions lists the codes exchanged so far.
func (s *Sim) ManifestConversions() []ManifestConversion {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]ManifestConversion(nil), s.conversions...)
}

// convertManifest answers with the App GitHub created from the manifest: the
// Sim's own App id and private key, so that the result works against it,
// and a fresh webhook secret and client secret.
func (s *Sim) convertManifest(c *reqCtx) {
	code := c.params["code"]
	mc := s.manifests[code]
	if mc == nil && s.opts.AcceptAnyManifestCode {
		used := false
		for _, cv := range s.conversions {
			used = used || cv.Code == code
		}
		if !used {
			mc = &manifestCode{}
			s.manifests[code] = mc
		}
	}
	if mc == nil || mc.used {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	mc.used = true
	var m struct {
		Name        string `json:"name"`
		URL         string `json:"url"`
		Description string `json:"description"`
	}
	_ = json.Unmarshal(mc.manifest, &m)
	name := m.Name
	if name == "" {
		name = s.opts.AppSlug
	}
	owner := s.userLocked("octocat", "")
	for _, o := range s.orgs {
		owner = o.user
		break
	}
	now := ts(s.now())
	resp := obj{
		"id":             s.opts.AppID,
		"slug":           s.opts.AppSlug,
		"node_id":        nodeID("A_", s.opts.AppID),
		"owner":          s.userJSON(owner),
		"name":           name,
		"description":    m.Description,
		"external_url":   m.URL,
		"html_url":       s.web() + "/apps/" + s.opts.AppSlug,
		"created_at":     now,
		"updated_at":     now,
		"permissions":    appPermissions(),
		"events":         appEvents(),
		"client_id":      s.clientIDLocked(),
		"client_secret":  s.clientSecretLocked(),
		"webhook_secret": randomHex(20),
		"pem":            string(s.PrivateKeyPEM()),
	}
	s.conversions = append(s.conversions, ManifestConversion{Code: code, Manifest: mc.manifest, Response: resp})
	s.writeJSON(c, http.StatusCreated, resp)
}

var zeroTime time.Time

// isManifestForm reports whether path is where GitHub's web UI takes an App
// manifest: /settings/apps/new or /organizations/{org}/settings/apps/new.
func isManifestForm(path string) bool {
	if path == "/settings/apps/new" {
		return true
	}
	parts := strings.Split(strings.Trim(path, "/"), "/")
	return len(parts) == 5 && parts[0] == "organizations" && parts[2] == "settings" && parts[3] == "apps" && parts[4] == "new"
}

// serveManifestForm plays github.com's side of the App Manifest flow for a
// browser (or a test) that posts the form: it takes the "manifest" field,
// creates the App at once (as if the person clicked "Create"), and redirects
// to the manifest's redirect_url with ?code=...&state=... This is GitHub's
// web UI, not its REST API, so it is not in Routes nor in Requests.
func (s *Sim) serveManifestForm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, "bad form", http.StatusBadRequest)
		return
	}
	raw := r.PostForm.Get("manifest")
	var m struct {
		RedirectURL string `json:"redirect_url"`
	}
	if err := json.Unmarshal([]byte(raw), &m); err != nil || m.RedirectURL == "" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnprocessableEntity)
		fmt.Fprint(w, "<html><body><p>Invalid GitHub App manifest: it must be JSON with a redirect_url.</p></body></html>\n")
		return
	}
	u, err := url.Parse(m.RedirectURL)
	if err != nil {
		http.Error(w, "bad redirect_url", http.StatusUnprocessableEntity)
		return
	}
	code := s.NewManifestCode([]byte(raw))
	q := u.Query()
	q.Set("code", code)
	if st := r.URL.Query().Get("state"); st != "" {
		q.Set("state", st)
	}
	u.RawQuery = q.Encode()
	http.Redirect(w, r, u.String(), http.StatusFound)
}
