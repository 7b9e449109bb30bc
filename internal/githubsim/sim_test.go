package githubsim_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// hook is a webhook receiver standing in for the App.
type hook struct {
	t      testing.TB
	secret string
	mu     sync.Mutex
	got    []received
	status int
}

type received struct {
	Header http.Header
	Body   []byte
}

func (h *hook) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if err := github.ValidateSignature(r.Header.Get("X-Hub-Signature-256"), body, []byte(h.secret)); err != nil {
		h.t.Errorf("delivery %s: bad signature: %v", r.Header.Get("X-GitHub-Delivery"), err)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	h.mu.Lock()
	h.got = append(h.got, received{r.Header.Clone(), body})
	status := h.status
	h.mu.Unlock()
	if status == 0 {
		status = http.StatusAccepted
	}
	w.WriteHeader(status)
}

func (h *hook) received() []received {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]received(nil), h.got...)
}

type world struct {
	sim  *githubsim.Sim
	api  *httptest.Server
	hook *hook
	inst int64
}

// newWorld is an org "acme" with the App installed on all its repositories,
// repository acme/web and a webhook receiver.
func newWorld(t *testing.T) *world {
	t.Helper()
	return newWorldWith(t, githubsim.New(githubsim.Options{AppID: 42}))
}

// newWorldWith is newWorld around a Sim with options of its own.
func newWorldWith(t *testing.T, sim *githubsim.Sim) *world {
	t.Helper()
	api := httptest.NewServer(sim)
	t.Cleanup(api.Close)
	sim.SetAPIURL(api.URL)
	h := &hook{t: t, secret: "s3cret"}
	hs := httptest.NewServer(h)
	t.Cleanup(hs.Close)
	t.Cleanup(sim.Wait)
	sim.SetWebhook(hs.URL+"/webhook", h.secret)
	sim.AddTeam("acme", "eng", "alice", "bob")
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	inst, _, err := sim.InstallApp("alice", "acme")
	if err != nil {
		t.Fatal(err)
	}
	return &world{sim: sim, api: api, hook: h, inst: inst}
}

// client is a go-github client authenticated as the installation, the way
// the App builds it.
func (w *world) client(t *testing.T, inst int64) *github.Client {
	t.Helper()
	tr, err := ghinstallation.New(http.DefaultTransport, w.sim.AppID(), inst, w.sim.PrivateKeyPEM())
	if err != nil {
		t.Fatal(err)
	}
	tr.BaseURL = w.api.URL
	c, err := github.NewClient(&http.Client{Transport: tr}).WithEnterpriseURLs(w.api.URL+"/", w.api.URL+"/")
	if err != nil {
		t.Fatal(err)
	}
	c.BaseURL.Path = "/"
	return c
}

func TestIssueFlowWithGoGitHub(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	n, d, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Checkout is slow", Body: "It takes 5s."})
	if err != nil || d.Status != http.StatusAccepted || d.ID == "" {
		t.Fatalf("OpenIssue: %v %+v", err, d)
	}
	gh := w.client(t, w.inst)
	is, _, err := gh.Issues.Get(ctx, "acme", "web", n)
	if err != nil {
		t.Fatal(err)
	}
	if is.GetTitle() != "Checkout is slow" || is.GetUser().GetLogin() != "carol" || is.GetAuthorAssociation() != "NONE" {
		t.Errorf("issue = %+v", is)
	}
	c, resp, err := gh.Issues.CreateComment(ctx, "acme", "web", n, &github.IssueComment{Body: github.String("<!-- ownershipbot:report --> hi")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreateComment: %v", err)
	}
	if c.GetUser().GetLogin() != "ownershipbot[bot]" || c.GetUser().GetType() != "Bot" {
		t.Errorf("bot comment user = %+v", c.GetUser())
	}
	w.sim.Wait()
	got := w.hook.received()
	last := got[len(got)-1]
	if last.Header.Get("X-GitHub-Event") != "issue_comment" {
		t.Fatalf("last event = %s", last.Header.Get("X-GitHub-Event"))
	}
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(last.Body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.GetSender().GetLogin() != "ownershipbot[bot]" || ev.GetComment().GetID() != c.GetID() || ev.GetInstallation().GetID() != w.inst {
		t.Errorf("bot comment webhook = %s", last.Body)
	}
	if got := w.sim.BotComments("acme/web", n); len(got) != 1 || !strings.Contains(got[0].Body, "ownershipbot:report") {
		t.Errorf("BotComments = %+v", got)
	}
	assertRealRoutes(t, w.sim)
	if tokens := w.sim.TokensIssued(); tokens != 1 {
		t.Errorf("TokensIssued = %d, want 1 (the token is reused)", tokens)
	}
}
