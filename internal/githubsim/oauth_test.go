package githubsim_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// The web flow as GitHub plays it: authorize redirects to the callback with
// the state and a code, the code buys one user token once, and the token
// lists only the repositories the person can see.
func TestOAuthWebFlowAndWhatAUserTokenSees(t *testing.T) {
	sim := githubsim.New(githubsim.Options{})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	sim.SetAPIURL(srv.URL)
	sim.AddOrgMember("acme", "alice", "admin")
	sim.AddOrgMember("acme", "bob", "member")
	for name, private := range map[string]bool{"acme/web": false, "acme/payments": true} {
		if err := sim.AddRepository(name, githubsim.RepoOptions{Private: private}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := sim.InstallApp("alice", "acme"); err != nil {
		t.Fatal(err)
	}
	sim.SetOAuthCallback("http://app.example/auth/callback")
	id, secret := sim.OAuthClient()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

	resp, err := noRedirect.Get(srv.URL + "/login/oauth/authorize?" + url.Values{"client_id": {id}, "state": {"s1"}, "login": {"bob"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusFound || loc.Host != "app.example" || loc.Query().Get("state") != "s1" || loc.Query().Get("code") == "" {
		t.Fatalf("authorize answered %d, Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	exchange := func(code, secret string) map[string]any {
		req, _ := http.NewRequest("POST", srv.URL+"/login/oauth/access_token", strings.NewReader(url.Values{"client_id": {id}, "client_secret": {secret}, "code": {code}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Accept", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		json.NewDecoder(resp.Body).Decode(&m)
		return m
	}
	if got := exchange(loc.Query().Get("code"), "wrong"); got["error"] != "incorrect_client_credentials" {
		t.Errorf("a wrong client secret got %v", got)
	}
	tok := exchange(loc.Query().Get("code"), secret)
	if !strings.HasPrefix(tok["access_token"].(string), "ghu_") {
		t.Fatalf("exchange got %v", tok)
	}
	if again := exchange(loc.Query().Get("code"), secret); again["error"] != "bad_verification_code" {
		t.Errorf("a code used twice got %v", again)
	}

	seen := func(token string) []string {
		gh := github.NewClient(nil).WithAuthToken(token)
		gh.BaseURL, _ = url.Parse(srv.URL + "/")
		ins, _, err := gh.Apps.ListUserInstallations(t.Context(), nil)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, in := range ins {
			repos, _, err := gh.Apps.ListUserRepos(t.Context(), in.GetID(), nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range repos.Repositories {
				names = append(names, r.GetFullName())
			}
		}
		return names
	}
	if got := seen(tok["access_token"].(string)); strings.Join(got, ",") != "acme/web" {
		t.Errorf("bob, a member, sees %v; want only the public acme/web", got)
	}
	if got := seen(sim.UserToken("alice")); strings.Join(got, ",") != "acme/payments,acme/web" {
		t.Errorf("alice, an admin, sees %v; want both", got)
	}
	assertRealRoutes(t, sim)
}
