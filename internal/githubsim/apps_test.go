package githubsim_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// appClient is a go-github client authenticated as an App (its JWT), or,
// with inst set, as one of its installations, the way the App builds them.
func (w *world) appClient(t *testing.T, appID, inst int64, key []byte) *github.Client {
	t.Helper()
	var rt http.RoundTripper
	if inst == 0 {
		atr, err := ghinstallation.NewAppsTransport(http.DefaultTransport, appID, key)
		if err != nil {
			t.Fatal(err)
		}
		atr.BaseURL = w.api.URL
		rt = atr
	} else {
		itr, err := ghinstallation.New(http.DefaultTransport, appID, inst, key)
		if err != nil {
			t.Fatal(err)
		}
		itr.BaseURL = w.api.URL
		rt = itr
	}
	c, err := github.NewClient(&http.Client{Transport: rt}).WithEnterpriseURLs(w.api.URL+"/", w.api.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL.Path = "/"
	return c
}

// TestTwoAppsShareAnOrganization installs a second App (a staging one)
// beside the world's: GET /app answers each with itself, each gets tokens
// for its own installations only and hears the events of the repositories
// it reaches, and the second App's comments are its bot's, marker or not.
func TestTwoAppsShareAnOrganization(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	staging, err := w.sim.AddApp("ownershipbot-staging")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sim.AddApp("ownershipbot-staging"); err == nil {
		t.Error("a second App with the same slug was registered")
	}
	stagingHook := &hook{t: t, secret: "staging"}
	hs := httptest.NewServer(stagingHook)
	t.Cleanup(hs.Close)
	staging.SetWebhook(hs.URL, stagingHook.secret)
	stagingInst, d, err := staging.Install("alice", "acme")
	if err != nil || d.Status != http.StatusAccepted || d.AppID != staging.ID() || d.InstallationID != stagingInst {
		t.Fatalf("installing the second App: %+v, %v", d, err)
	}
	if n := len(w.hook.received()); n != 1 {
		t.Errorf("the first App heard %d deliveries, want only its own installation's", n)
	}

	for _, app := range []struct {
		id   int64
		key  []byte
		slug string
	}{{w.sim.AppID(), w.sim.PrivateKeyPEM(), "ownershipbot"}, {staging.ID(), staging.PrivateKeyPEM(), "ownershipbot-staging"}} {
		got, _, err := w.appClient(t, app.id, 0, app.key).Apps.Get(ctx, "")
		if err != nil || got.GetID() != app.id || got.GetSlug() != app.slug {
			t.Errorf("GET /app as App %d: %+v, %v; want itself, %s", app.id, got, err, app.slug)
		}
	}
	// An App gets no token for another App's installation.
	if _, _, err := w.appClient(t, staging.ID(), 0, staging.PrivateKeyPEM()).Apps.CreateInstallationToken(ctx, w.inst, nil); err == nil {
		t.Error("the second App got a token for the first App's installation")
	}

	n, d, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Checkout is slow"})
	if err != nil || d.AppID != w.sim.AppID() || d.InstallationID != w.inst {
		t.Fatalf("OpenIssue returned %+v, %v; want the delivery to the Sim's own App", d, err)
	}
	var ev github.IssuesEvent
	got := stagingHook.received()
	if err := json.Unmarshal(got[len(got)-1].Body, &ev); err != nil || ev.GetInstallation().GetID() != stagingInst {
		t.Fatalf("the second App heard %s (%v), want the issue with its own installation", got[len(got)-1].Body, err)
	}

	gh := w.appClient(t, staging.ID(), stagingInst, staging.PrivateKeyPEM())
	c, _, err := gh.Issues.CreateComment(ctx, "acme", "web", n, &github.IssueComment{Body: github.String("<!-- ownershipbot:report -->\nstaging")})
	if err != nil {
		t.Fatal(err)
	}
	if c.GetUser().GetLogin() != staging.BotLogin() || c.GetUser().GetType() != "Bot" {
		t.Errorf("the second App's comment is by %+v, want its bot", c.GetUser())
	}
	resp, err := gh.Client().Get(c.GetURL())
	if err != nil {
		t.Fatal(err)
	}
	var raw struct {
		Via struct{ Slug string } `json:"performed_via_github_app"`
	}
	json.NewDecoder(resp.Body).Decode(&raw)
	resp.Body.Close()
	if raw.Via.Slug != "ownershipbot-staging" {
		t.Errorf("the second App's comment is performed via %q, want ownershipbot-staging", raw.Via.Slug)
	}
	w.sim.Wait()
	for name, h := range map[string]*hook{"first": w.hook, "second": stagingHook} {
		got := h.received()
		if event := got[len(got)-1].Header.Get("X-GitHub-Event"); event != "issue_comment" {
			t.Errorf("the %s App did not hear of the second App's comment (last event %s)", name, event)
		}
	}
	if mine := w.sim.BotComments("acme/web", n); len(mine) != 0 {
		t.Errorf("BotComments of the Sim's own App lists another App's comment: %+v", mine)
	}
	assertRealRoutes(t, w.sim)
}
