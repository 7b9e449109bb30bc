package githubsim_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

func (w *world) jwt(t *testing.T, iss string, iat, exp time.Time) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{
		Issuer: iss, IssuedAt: jwt.NewNumericDate(iat), ExpiresAt: jwt.NewNumericDate(exp)})
	s, err := tok.SignedString(w.sim.PrivateKey())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *world) do(t *testing.T, method, path, auth, body string) (*http.Response, []byte) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, w.api.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

// installationToken gets a token the way ghinstallation does.
func (w *world) installationToken(t *testing.T, inst int64) string {
	t.Helper()
	now := time.Now()
	resp, body := w.do(t, "POST", fmt.Sprintf("/app/installations/%d/access_tokens", inst),
		"Bearer "+w.jwt(t, strconv.FormatInt(w.sim.AppID(), 10), now.Add(-30*time.Second), now.Add(2*time.Minute)), "")
	if resp.StatusCode != 201 {
		t.Fatalf("access_tokens: %d %s", resp.StatusCode, body)
	}
	var tok struct {
		Token               string            `json:"token"`
		ExpiresAt           time.Time         `json:"expires_at"`
		Permissions         map[string]string `json:"permissions"`
		RepositorySelection string            `json:"repository_selection"`
	}
	if err := json.Unmarshal(body, &tok); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(tok.Token, "ghs_") || tok.Permissions["issues"] != "write" || tok.RepositorySelection != "all" {
		t.Errorf("token = %s", body)
	}
	if d := time.Until(tok.ExpiresAt); d < 59*time.Minute || d > 61*time.Minute {
		t.Errorf("expires_at %v is not an hour away", tok.ExpiresAt)
	}
	return tok.Token
}

func wantMessage(t *testing.T, resp *http.Response, body []byte, status int, message string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("%s %s: status %d, want %d (%s)", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, status, body)
		return
	}
	var e struct {
		Message          string `json:"message"`
		DocumentationURL string `json:"documentation_url"`
	}
	if err := json.Unmarshal(body, &e); err != nil || !strings.Contains(e.Message, message) || e.DocumentationURL == "" {
		t.Errorf("%s %s: body %s, want message %q and documentation_url", resp.Request.Method, resp.Request.URL.Path, body, message)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
}

func TestAppAuthentication(t *testing.T) {
	w := newWorld(t)
	now := time.Now()
	app := strconv.FormatInt(w.sim.AppID(), 10)
	path := fmt.Sprintf("/app/installations/%d/access_tokens", w.inst)
	resp, body := w.do(t, "POST", path, "", "")
	wantMessage(t, resp, body, 401, "JSON web token")
	resp, body = w.do(t, "POST", path, "Bearer "+w.jwt(t, "999", now, now.Add(time.Minute)), "")
	wantMessage(t, resp, body, 401, "Issuer")
	resp, body = w.do(t, "POST", path, "Bearer "+w.jwt(t, app, now.Add(-20*time.Minute), now.Add(-10*time.Minute)), "")
	wantMessage(t, resp, body, 401, "Expiration time")
	resp, body = w.do(t, "POST", path, "Bearer "+w.jwt(t, app, now, now.Add(time.Hour)), "")
	wantMessage(t, resp, body, 401, "too far")
	resp, body = w.do(t, "POST", "/app/installations/1/access_tokens", "Bearer "+w.jwt(t, app, now, now.Add(time.Minute)), "")
	wantMessage(t, resp, body, 404, "Not Found")
	// A JWT signed by another key is refused.
	other := githubsim.New(githubsim.Options{AppID: w.sim.AppID(), PrivateKey: mustKey(t)})
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.RegisteredClaims{Issuer: app,
		IssuedAt: jwt.NewNumericDate(now), ExpiresAt: jwt.NewNumericDate(now.Add(time.Minute))})
	forged, _ := tok.SignedString(other.PrivateKey())
	resp, body = w.do(t, "POST", path, "Bearer "+forged, "")
	wantMessage(t, resp, body, 401, "JSON web token")

	before := w.sim.TokensIssued()
	token := w.installationToken(t, w.inst)
	if w.sim.TokensIssued() != before+1 {
		t.Errorf("TokensIssued did not count the token")
	}
	for _, auth := range []string{"token " + token, "Bearer " + token} {
		resp, body = w.do(t, "GET", "/repos/acme/web", auth, "")
		if resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", auth[:6], resp.StatusCode, body)
		}
	}
	resp, body = w.do(t, "GET", "/repos/acme/web/issues/1", "", "")
	wantMessage(t, resp, body, 401, "Requires authentication")
	resp, body = w.do(t, "GET", "/repos/acme/web/issues/1", "token ghs_wrong", "")
	wantMessage(t, resp, body, 401, "Bad credentials")
	// A token does not open the App's own routes, nor a JWT the repositories.
	resp, body = w.do(t, "GET", "/repos/acme/web", "Bearer "+w.jwt(t, app, now, now.Add(time.Minute)), "")
	wantMessage(t, resp, body, 401, "Bad credentials")
}

func mustKey(t *testing.T) *rsaKey {
	t.Helper()
	k, err := generateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTokenReachesOnlyItsInstallation(t *testing.T) {
	w := newWorld(t)
	if err := w.sim.AddRepository("globex/site", githubsim.RepoOptions{Private: true}); err != nil {
		t.Fatal(err)
	}
	globex, _, err := w.sim.InstallApp("hank", "globex")
	if err != nil {
		t.Fatal(err)
	}
	if err := w.sim.AddRepository("acme/secret", githubsim.RepoOptions{Private: true}); err != nil {
		t.Fatal(err)
	}
	n, _, err := w.sim.OpenIssue("hank", "globex/site", githubsim.IssueInput{Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	acme := "token " + w.installationToken(t, w.inst)
	resp, body := w.do(t, "GET", fmt.Sprintf("/repos/globex/site/issues/%d", n), acme, "")
	wantMessage(t, resp, body, 404, "Not Found")
	resp, _ = w.do(t, "GET", fmt.Sprintf("/repos/globex/site/issues/%d", n), "token "+w.installationToken(t, globex), "")
	if resp.StatusCode != 200 {
		t.Errorf("globex token on globex: %d", resp.StatusCode)
	}
	// A "selected" installation reaches only its repositories.
	if _, err := w.sim.RemoveInstallationRepositories("alice", "acme", "acme/secret"); err != nil {
		t.Fatal(err)
	}
	resp, _ = w.do(t, "GET", "/repos/acme/secret", acme, "")
	if resp.StatusCode != 404 {
		t.Errorf("removed repository answered %d", resp.StatusCode)
	}
	resp, _ = w.do(t, "GET", "/repos/acme/web", acme, "")
	if resp.StatusCode != 200 {
		t.Errorf("kept repository answered %d", resp.StatusCode)
	}
	// Team memberships only within the installation's org.
	resp, _ = w.do(t, "GET", "/orgs/globex/teams/eng/memberships/alice", acme, "")
	if resp.StatusCode != 404 {
		t.Errorf("other org's team answered %d", resp.StatusCode)
	}
	// Uninstalling revokes the tokens.
	if _, err := w.sim.UninstallApp("alice", "acme"); err != nil {
		t.Fatal(err)
	}
	resp, body = w.do(t, "GET", "/repos/acme/web", acme, "")
	wantMessage(t, resp, body, 401, "Bad credentials")
	assertRealRoutes(t, w.sim)
}

func TestCommentsPaginationAndDeletion(t *testing.T) {
	w := newWorld(t)
	n, _, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Busy"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range 65 {
		id, _, err := w.sim.AddComment("bob", "acme/web", n, fmt.Sprintf("comment %d", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	token := "token " + w.installationToken(t, w.inst)
	path := fmt.Sprintf("/repos/acme/web/issues/%d/comments", n)
	resp, body := w.do(t, "GET", path, token, "")
	var page []github.IssueComment
	if err := json.Unmarshal(body, &page); err != nil || len(page) != 30 || page[0].GetID() != ids[0] {
		t.Fatalf("first page: %d comments, %v", len(page), err)
	}
	link := resp.Header.Get("Link")
	re := regexp.MustCompile(`<([^>]+)>; rel="(\w+)"`)
	rels := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(link, -1) {
		rels[m[2]] = m[1]
	}
	if !strings.Contains(rels["next"], "page=2") || !strings.Contains(rels["last"], "page=3") || rels["prev"] != "" {
		t.Errorf("Link = %s", link)
	}
	resp, body = w.do(t, "GET", path+"?per_page=100", token, "")
	_ = json.Unmarshal(body, &page)
	if len(page) != 65 || resp.Header.Get("Link") != "" {
		t.Errorf("per_page=100: %d comments, Link %q", len(page), resp.Header.Get("Link"))
	}
	_, body = w.do(t, "GET", path+"?per_page=500&page=1", token, "")
	_ = json.Unmarshal(body, &page)
	if len(page) != 65 {
		t.Errorf("per_page is capped at 100: got %d", len(page))
	}
	resp, body = w.do(t, "GET", path+"?page=3", token, "")
	_ = json.Unmarshal(body, &page)
	if len(page) != 5 || page[4].GetID() != ids[64] || !strings.Contains(resp.Header.Get("Link"), `rel="prev"`) || strings.Contains(resp.Header.Get("Link"), `rel="next"`) {
		t.Errorf("last page: %d comments, Link %s", len(page), resp.Header.Get("Link"))
	}

	// go-github walks the pages with the Link header.
	gh := w.client(t, w.inst)
	var all []*github.IssueComment
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 20}}
	for {
		cs, r, err := gh.Issues.ListComments(context.Background(), "acme", "web", n, opt)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, cs...)
		if r.NextPage == 0 {
			break
		}
		opt.Page = r.NextPage
	}
	if len(all) != 65 {
		t.Errorf("go-github paged %d comments, want 65", len(all))
	}

	// A deleted comment is gone: 404 as GitHub answers, for every method.
	if _, err := w.sim.DeleteComment("bob", ids[3]); err != nil {
		t.Fatal(err)
	}
	cpath := fmt.Sprintf("/repos/acme/web/issues/comments/%d", ids[3])
	for _, m := range []string{"GET", "PATCH", "DELETE"} {
		resp, body = w.do(t, m, cpath, token, `{"body":"x"}`)
		wantMessage(t, resp, body, 404, "Not Found")
	}
	resp, body = w.do(t, "GET", "/repos/acme/web/issues/comments/12345", token, "")
	wantMessage(t, resp, body, 404, "Not Found")
	if got := len(w.sim.Comments("acme/web", n)); got != 64 {
		t.Errorf("Comments = %d, want 64", got)
	}
	assertRealRoutes(t, w.sim)
}

func TestAppCommentsEditAndDelete(t *testing.T) {
	w := newWorld(t)
	n, _, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	token := "token " + w.installationToken(t, w.inst)
	path := fmt.Sprintf("/repos/acme/web/issues/%d/comments", n)
	resp, body := w.do(t, "POST", path, token, `{}`)
	wantMessage(t, resp, body, 422, "body")
	resp, body = w.do(t, "POST", path, token, `{"body":"<!-- ownershipbot:report -->\nOwner missing"}`)
	if resp.StatusCode != 201 || resp.Header.Get("Location") == "" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var c github.IssueComment
	_ = json.Unmarshal(body, &c)
	cpath := fmt.Sprintf("/repos/acme/web/issues/comments/%d", c.GetID())
	resp, body = w.do(t, "PATCH", cpath, token, `{"body":"<!-- ownershipbot:report -->\nAll set"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), "All set") {
		t.Fatalf("edit: %d %s", resp.StatusCode, body)
	}
	resp, _ = w.do(t, "DELETE", cpath, token, "")
	if resp.StatusCode != 204 {
		t.Fatalf("delete: %d", resp.StatusCode)
	}
	w.sim.Wait()
	var actions []string
	for _, d := range w.sim.Deliveries() {
		if d.Event != "issue_comment" {
			continue
		}
		actions = append(actions, d.Action)
		var ev github.IssueCommentEvent
		_ = json.Unmarshal(d.Body, &ev)
		if ev.GetSender().GetLogin() != "ownershipbot[bot]" || ev.GetComment().GetUser().GetType() != "Bot" || ev.GetComment().GetID() != c.GetID() {
			t.Errorf("%s: sender %s, user %+v", d.Action, ev.GetSender().GetLogin(), ev.GetComment().GetUser())
		}
		if d.Action == "edited" && !strings.Contains(ev.GetChanges().GetBody().GetFrom(), "Owner missing") {
			t.Errorf("edited: changes = %+v", ev.GetChanges())
		}
	}
	if strings.Join(actions, ",") != "created,edited,deleted" {
		t.Errorf("issue_comment actions = %v", actions)
	}
	if len(w.sim.Writes()) != 4 { // the 422 counts as a write attempt too
		t.Errorf("Writes = %+v", w.sim.Writes())
	}
	if got := w.sim.BotComments("acme/web", n); len(got) != 0 {
		t.Errorf("BotComments after delete = %+v", got)
	}
}

func TestContentsTeamsAndIssues(t *testing.T) {
	w := newWorld(t)
	yml := "comment: always\nroles:\n  product: ['@acme/pm']\n"
	if err := w.sim.AddRepository("acme/.github", githubsim.RepoOptions{Files: map[string]string{".github/ownership.yml": yml}}); err != nil {
		t.Fatal(err)
	}
	gh := w.client(t, w.inst)
	ctx := context.Background()
	fc, _, _, err := gh.Repositories.GetContents(ctx, "acme", ".github", ".github/ownership.yml", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := fc.GetContent(); err != nil || got != yml || fc.GetEncoding() != "base64" {
		t.Errorf("content = %q, %v", got, err)
	}
	_, _, resp, err := gh.Repositories.GetContents(ctx, "acme", "web", ".github/ownership.yml", nil)
	if err == nil || resp.StatusCode != 404 {
		t.Errorf("missing file: %v", err)
	}
	_, dir, _, err := gh.Repositories.GetContents(ctx, "acme", ".github", ".github", nil)
	if err != nil || len(dir) != 1 || dir[0].GetName() != "ownership.yml" {
		t.Errorf("directory listing = %v, %v", dir, err)
	}

	m, _, err := gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "eng", "alice")
	if err != nil || m.GetState() != "active" || m.GetRole() != "member" {
		t.Errorf("membership = %+v, %v", m, err)
	}
	_, resp, err = gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "eng", "carol")
	if err == nil || resp.StatusCode != 404 {
		t.Errorf("non-member: %v", err)
	}
	_, resp, err = gh.Teams.GetTeamMembershipBySlug(ctx, "acme", "nope", "alice")
	if err == nil || resp.StatusCode != 404 {
		t.Errorf("unknown team: %v", err)
	}

	n, _, _ := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Moving"})
	if _, _, err := w.sim.TransferIssue("alice", "acme/web", n, "acme/.github"); err != nil {
		t.Fatal(err)
	}
	is, _, err := gh.Issues.Get(ctx, "acme", "web", n) // follows the 301
	if err != nil || is.GetTitle() != "Moving" || !strings.Contains(is.GetURL(), "acme/.github") {
		t.Errorf("transferred issue: %+v, %v", is, err)
	}
	n2, _, _ := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Spam"})
	if _, err := w.sim.DeleteIssue("alice", "acme/web", n2); err != nil {
		t.Fatal(err)
	}
	_, resp, err = gh.Issues.Get(ctx, "acme", "web", n2)
	if err == nil || resp.StatusCode != 410 {
		t.Errorf("deleted issue: %v", err)
	}
	_, resp, err = gh.Issues.Get(ctx, "acme", "web", 999)
	if err == nil || resp.StatusCode != 404 {
		t.Errorf("unknown issue: %v", err)
	}
	lim, _, err := gh.RateLimit.Get(ctx)
	if err != nil || lim.GetCore().Limit != 5000 || lim.GetCore().Remaining >= 5000 {
		t.Errorf("rate_limit = %+v, %v", lim.GetCore(), err)
	}
	assertRealRoutes(t, w.sim)
}

func TestResponseHeadersAndUnknownRoutes(t *testing.T) {
	w := newWorld(t)
	token := "token " + w.installationToken(t, w.inst)
	var remaining []int
	for range 3 {
		resp, _ := w.do(t, "GET", "/repos/acme/web", token, "")
		for _, h := range []string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Used", "X-RateLimit-Reset", "X-GitHub-Request-Id"} {
			if resp.Header.Get(h) == "" {
				t.Errorf("no %s", h)
			}
		}
		if resp.Header.Get("X-RateLimit-Resource") != "core" || resp.Header.Get("Content-Type") != "application/json; charset=utf-8" {
			t.Errorf("headers = %v", resp.Header)
		}
		r, _ := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
		remaining = append(remaining, r)
	}
	if remaining[0] != 4999 || remaining[1] != 4998 || remaining[2] != 4997 {
		t.Errorf("X-RateLimit-Remaining = %v", remaining)
	}
	resp, body := w.do(t, "GET", "/repos/acme/web/issues/1/made-up", token, "")
	wantMessage(t, resp, body, 404, "Not Found")
	resp, body = w.do(t, "PUT", "/repos/acme/web/issues/1", token, "")
	wantMessage(t, resp, body, 404, "Not Found")
	// GitHub Enterprise Server's prefix works too.
	resp, _ = w.do(t, "GET", "/api/v3/repos/acme/web", token, "")
	if resp.StatusCode != 200 {
		t.Errorf("/api/v3 prefix: %d", resp.StatusCode)
	}
	reqs := w.sim.Requests()
	last := reqs[len(reqs)-1]
	if last.Route != "/repos/{owner}/{repo}" || last.InstallationID != w.inst || last.Status != 200 || last.Path != "/repos/acme/web" {
		t.Errorf("request log = %+v", last)
	}
	assertRealRoutes(t, w.sim)
}

func TestFaults(t *testing.T) {
	w := newWorld(t)
	n, _, _ := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "x"})
	token := "token " + w.installationToken(t, w.inst)
	route := "/repos/{owner}/{repo}/issues/{issue_number}/comments"
	path := fmt.Sprintf("/repos/acme/web/issues/%d/comments", n)
	w.sim.InjectFault("POST", route, 1, githubsim.BadGateway)
	w.sim.InjectFault("POST", route, 1, githubsim.ServerError)
	w.sim.InjectFault("POST", route, 1, githubsim.SecondaryRateLimit)
	w.sim.InjectFault("POST", route, 1, githubsim.RateLimitExhausted)
	w.sim.InjectFault("POST", route, 1, githubsim.TooManyRequests)
	if w.sim.PendingFaults() != 5 {
		t.Errorf("PendingFaults = %d", w.sim.PendingFaults())
	}
	// Faults touch only their route.
	if resp, _ := w.do(t, "GET", path, token, ""); resp.StatusCode != 200 {
		t.Errorf("GET answered %d", resp.StatusCode)
	}
	resp, body := w.do(t, "POST", path, token, `{"body":"hi"}`)
	if resp.StatusCode != 502 || !strings.Contains(string(body), "<h1>502 Bad Gateway</h1>") || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("502: %d %s", resp.StatusCode, body)
	}
	resp, body = w.do(t, "POST", path, token, `{"body":"hi"}`)
	if resp.StatusCode != 500 || !strings.Contains(string(body), `"Server Error"`) {
		t.Errorf("500: %d %s", resp.StatusCode, body)
	}
	resp, body = w.do(t, "POST", path, token, `{"body":"hi"}`)
	wantMessage(t, resp, body, 403, "You have exceeded a secondary rate limit")
	if resp.Header.Get("Retry-After") != "1" {
		t.Errorf("Retry-After = %q", resp.Header.Get("Retry-After"))
	}
	for _, status := range []int{403, 429} {
		resp, body = w.do(t, "POST", path, token, `{"body":"hi"}`)
		wantMessage(t, resp, body, status, "API rate limit exceeded")
		reset, _ := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64)
		if resp.Header.Get("X-RateLimit-Remaining") != "0" || reset < time.Now().Unix() {
			t.Errorf("%d: remaining %s reset %d", status, resp.Header.Get("X-RateLimit-Remaining"), reset)
		}
	}
	// go-github sees the errors it knows.
	w.sim.InjectFault("GET", "/repos/{owner}/{repo}/issues/{issue_number}", 1, githubsim.SecondaryRateLimit)
	_, _, err := w.client(t, w.inst).Issues.Get(context.Background(), "acme", "web", n)
	var abuse *github.AbuseRateLimitError
	if !asAbuse(err, &abuse) || abuse.GetRetryAfter() != time.Second {
		t.Errorf("go-github error = %T %v", err, err)
	}
	resp, _ = w.do(t, "POST", path, token, `{"body":"hi"}`)
	if resp.StatusCode != 201 {
		t.Errorf("after the faults: %d", resp.StatusCode)
	}
	if w.sim.PendingFaults() != 0 {
		t.Errorf("PendingFaults = %d", w.sim.PendingFaults())
	}
	statuses := []int{}
	for _, r := range w.sim.Writes() {
		statuses = append(statuses, r.Status)
	}
	if fmt.Sprint(statuses) != "[502 500 403 403 429 201]" {
		t.Errorf("write statuses = %v", statuses)
	}
}

func TestLatency(t *testing.T) {
	w := newWorld(t)
	token := "token " + w.installationToken(t, w.inst)
	w.sim.SetLatency("GET", "/repos/{owner}/{repo}", 50*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", w.api.URL+"/repos/acme/web", nil)
	req.Header.Set("Authorization", token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("a client deadline shorter than the latency still got %d", resp.StatusCode)
	}
	w.sim.SetLatency("GET", "/repos/{owner}/{repo}", 0)
	if resp, _ := w.do(t, "GET", "/repos/acme/web", token, ""); resp.StatusCode != 200 {
		t.Errorf("without latency: %d", resp.StatusCode)
	}
}

func TestRepoLatencySlowsOneRepositoryOnly(t *testing.T) {
	w := newWorld(t)
	token := "token " + w.installationToken(t, w.inst)
	w.sim.SetRepoLatency("ACME/web", time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", w.api.URL+"/repos/acme/web/issues/1/comments", nil)
	req.Header.Set("Authorization", token)
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
		t.Errorf("a request about the slow repository was answered (%d) before its latency", resp.StatusCode)
	}
	if resp, _ := w.do(t, "GET", "/installation/repositories", token, ""); resp.StatusCode != 200 {
		t.Errorf("a request about no repository: %d, want it answered at once", resp.StatusCode)
	}
}

func TestOutageAnswers502UntilOver(t *testing.T) {
	w := newWorld(t)
	token := "token " + w.installationToken(t, w.inst)
	w.sim.SetOutage(true)
	for _, path := range []string{"/repos/acme/web", "/installation/repositories"} {
		if resp, _ := w.do(t, "GET", path, token, ""); resp.StatusCode != http.StatusBadGateway {
			t.Errorf("GET %s during the outage: %d, want 502", path, resp.StatusCode)
		}
	}
	w.sim.SetOutage(false)
	if resp, _ := w.do(t, "GET", "/repos/acme/web", token, ""); resp.StatusCode != 200 {
		t.Errorf("after the outage: %d, want 200", resp.StatusCode)
	}
}

func TestWebhookHeadersSignatureAndRedeliver(t *testing.T) {
	w := newWorld(t)
	n, d, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "x"})
	if err != nil || n != 1 {
		t.Fatal(n, err)
	}
	got := w.hook.received()
	last := got[len(got)-1]
	h := last.Header
	uuidRE := regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	if h.Get("X-GitHub-Event") != "issues" || h.Get("X-GitHub-Delivery") != d.ID || !uuidRE.MatchString(d.ID) ||
		h.Get("X-GitHub-Hook-ID") == "" || h.Get("X-GitHub-Hook-Installation-Target-Type") != "integration" ||
		h.Get("X-GitHub-Hook-Installation-Target-ID") != "42" || !strings.HasPrefix(h.Get("User-Agent"), "GitHub-Hookshot/") ||
		h.Get("Content-Type") != "application/json" {
		t.Errorf("headers = %v", h)
	}
	if h.Get("X-Hub-Signature-256") != githubsim.Sign("s3cret", last.Body) {
		t.Error("signature is not HMAC-SHA256 of the body")
	}
	// Redeliver: same GUID, same body.
	w.hook.mu.Lock()
	w.hook.status = 200
	w.hook.mu.Unlock()
	rd, err := w.sim.Redeliver(d.ID)
	if err != nil || rd.ID != d.ID || !rd.Redelivery || rd.Status != 200 {
		t.Fatalf("Redeliver = %+v, %v", rd, err)
	}
	got = w.hook.received()
	again := got[len(got)-1]
	if again.Header.Get("X-GitHub-Delivery") != d.ID || string(again.Body) != string(last.Body) {
		t.Error("redelivery differs from the delivery")
	}
	if _, err := w.sim.Redeliver("nope"); err == nil {
		t.Error("Redeliver of an unknown id did not fail")
	}
	// An App that cannot be reached: status 0 and an error.
	w.sim.SetWebhook("http://127.0.0.1:1/webhook", "s3cret")
	_, d, err = w.sim.AddComment("bob", "acme/web", n, "hello")
	if err == nil || d.Status != 0 || d.ID == "" || d.Err == "" {
		t.Errorf("unreachable App: %+v, %v", d, err)
	}
	// No webhook: the world changes, nothing is sent.
	w.sim.SetWebhook("", "")
	before := len(w.sim.Deliveries())
	if _, d, err = w.sim.AddComment("bob", "acme/web", n, "quiet"); err != nil || d.ID != "" {
		t.Errorf("no webhook: %+v, %v", d, err)
	}
	if len(w.sim.Deliveries()) != before || len(w.sim.Comments("acme/web", n)) != 2 {
		t.Error("no webhook: deliveries or comments wrong")
	}
}

func TestPullRequestRoutes(t *testing.T) {
	w := newWorld(t)
	issue, _, _ := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Slow checkout"})
	pr, _, err := w.sim.OpenPullRequest("erin", "acme/web", githubsim.PullInput{Title: "Cache prices", Body: fmt.Sprintf("Fixes #%d", issue)})
	if err != nil || pr != issue+1 {
		t.Fatalf("pr %d, %v", pr, err)
	}
	rid, _, err := w.sim.SubmitReview("alice", "acme/web", pr, githubsim.ReviewInput{State: "COMMENTED", Body: "Users may see stale prices.",
		Comments: []githubsim.ReviewCommentInput{{Path: "cache.go", Line: 3, Body: "TTL?"}, {Path: "cache.go", Line: 9, Body: "nit"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.sim.MergePullRequest("alice", "acme/web", pr); err != nil {
		t.Fatal(err)
	}
	gh := w.client(t, w.inst)
	ctx := context.Background()
	p, _, err := gh.PullRequests.Get(ctx, "acme", "web", pr)
	if err != nil || !p.GetMerged() || p.GetBody() != fmt.Sprintf("Fixes #%d", issue) || p.GetBase().GetRef() != "main" || p.GetUser().GetLogin() != "erin" {
		t.Errorf("pull = %+v, %v", p, err)
	}
	asIssue, _, err := gh.Issues.Get(ctx, "acme", "web", pr)
	if err != nil || !asIssue.IsPullRequest() {
		t.Errorf("a pull request is an issue too: %v", err)
	}
	if _, resp, err := gh.PullRequests.Get(ctx, "acme", "web", issue); err == nil || resp.StatusCode != 404 {
		t.Errorf("an issue is not a pull request: %v", err)
	}
	reviews, _, err := gh.PullRequests.ListReviews(ctx, "acme", "web", pr, nil)
	if err != nil || len(reviews) != 1 || reviews[0].GetID() != rid || reviews[0].GetState() != "COMMENTED" || reviews[0].GetAuthorAssociation() != "MEMBER" {
		t.Errorf("reviews = %v, %v", reviews, err)
	}
	comments, _, err := gh.PullRequests.ListComments(ctx, "acme", "web", pr, &github.PullRequestListCommentsOptions{ListOptions: github.ListOptions{PerPage: 1}})
	if err != nil || len(comments) != 1 || comments[0].GetPullRequestReviewID() != rid || comments[0].GetPath() != "cache.go" {
		t.Errorf("review comments = %v, %v", comments, err)
	}
	if len(w.sim.ReviewComments("acme/web", pr)) != 2 {
		t.Error("ReviewComments")
	}
	// The author of a merged pull request is a CONTRIBUTOR from then on.
	_, d, err := w.sim.AddComment("erin", "acme/web", issue, "merged")
	if err != nil || !strings.Contains(string(d.Body), `"author_association":"CONTRIBUTOR"`) {
		t.Errorf("association after merge: %v", err)
	}
	assertRealRoutes(t, w.sim)
}

func TestManifestConversion(t *testing.T) {
	w := newWorld(t)
	manifest := `{"name":"ownershipbot-acme","url":"https://example.com","hook_attributes":{"url":"https://example.com/webhook"}}`
	code := w.sim.NewManifestCode([]byte(manifest))
	resp, body := w.do(t, "POST", "/app-manifests/"+code+"/conversions", "", "")
	if resp.StatusCode != 201 {
		t.Fatalf("conversion: %d %s", resp.StatusCode, body)
	}
	var cfg github.AppConfig
	if err := json.Unmarshal(body, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.GetID() != w.sim.AppID() || cfg.GetName() != "ownershipbot-acme" || cfg.GetWebhookSecret() == "" ||
		cfg.GetPEM() != string(w.sim.PrivateKeyPEM()) || cfg.GetClientID() == "" || cfg.GetClientSecret() == "" || cfg.GetSlug() == "" || cfg.GetHTMLURL() == "" {
		t.Errorf("config = %s", body)
	}
	convs := w.sim.ManifestConversions()
	if len(convs) != 1 || string(convs[0].Manifest) != manifest {
		t.Errorf("ManifestConversions = %+v", convs)
	}
	resp, body = w.do(t, "POST", "/app-manifests/"+code+"/conversions", "", "")
	wantMessage(t, resp, body, 404, "Not Found")
	resp, body = w.do(t, "POST", "/app-manifests/unknown/conversions", "", "")
	wantMessage(t, resp, body, 404, "Not Found")

	// The browser side: the form post to github.com redirects with a code.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	form := url.Values{"manifest": {`{"name":"web-flow","redirect_url":"http://127.0.0.1:9/callback"}`}}
	fresp, err := noFollow.PostForm(w.api.URL+"/organizations/acme/settings/apps/new?state=st4te", form)
	if err != nil {
		t.Fatal(err)
	}
	fresp.Body.Close()
	loc, _ := url.Parse(fresp.Header.Get("Location"))
	if fresp.StatusCode != 302 || loc.Path != "/callback" || loc.Query().Get("state") != "st4te" || loc.Query().Get("code") == "" {
		t.Fatalf("form post: %d, Location %s", fresp.StatusCode, loc)
	}
	resp, body = w.do(t, "POST", "/app-manifests/"+loc.Query().Get("code")+"/conversions", "", "")
	if resp.StatusCode != 201 || !strings.Contains(string(body), `"name":"web-flow"`) {
		t.Errorf("conversion of the form's code: %d %s", resp.StatusCode, body)
	}

	any := githubsim.New(githubsim.Options{AcceptAnyManifestCode: true})
	srv := newServer(t, any)
	cfg2, err := github.NewClient(nil).WithEnterpriseURLs(srv+"/", srv+"/")
	if err != nil {
		t.Fatal(err)
	}
	cfg2.BaseURL.Path = "/"
	if _, _, err := cfg2.Apps.CompleteAppManifest(context.Background(), "whatever"); err != nil {
		t.Errorf("AcceptAnyManifestCode: %v", err)
	}
	if _, _, err := cfg2.Apps.CompleteAppManifest(context.Background(), "whatever"); err == nil {
		t.Error("a code was accepted twice")
	}
}

func TestConcurrentUse(t *testing.T) {
	w := newWorld(t)
	gh := w.client(t, w.inst)
	var wg sync.WaitGroup
	numbers := make([]int, 8)
	for i := range numbers {
		n, _, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: fmt.Sprint("issue ", i)})
		if err != nil {
			t.Fatal(err)
		}
		numbers[i] = n
	}
	for _, n := range numbers {
		wg.Add(2)
		go func() {
			defer wg.Done()
			for j := range 5 {
				if _, _, err := gh.Issues.CreateComment(context.Background(), "acme", "web", n, &github.IssueComment{Body: github.String(fmt.Sprint("bot ", j))}); err != nil {
					t.Error(err)
				}
			}
		}()
		go func() {
			defer wg.Done()
			for j := range 5 {
				if _, _, err := w.sim.AddComment("bob", "acme/web", n, fmt.Sprint("person ", j)); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	w.sim.Wait()
	for _, n := range numbers {
		if got := len(w.sim.Comments("acme/web", n)); got != 10 {
			t.Errorf("#%d has %d comments", n, got)
		}
	}
	created := 0
	for _, d := range w.sim.Deliveries() {
		if d.Event == "issue_comment" {
			created++
		}
	}
	if created != 80 {
		t.Errorf("%d issue_comment deliveries, want 80", created)
	}
	if w.sim.TokensIssued() != 1 {
		t.Errorf("TokensIssued = %d", w.sim.TokensIssued())
	}
}

type rsaKey = rsa.PrivateKey

func generateKey() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 2048) }

func asAbuse(err error, target **github.AbuseRateLimitError) bool { return errors.As(err, target) }

func newServer(t *testing.T, h http.Handler) string {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func TestWorldClockIsSeparateFromAuthentication(t *testing.T) {
	past := time.Date(2026, 10, 1, 9, 30, 0, 0, time.UTC)
	sim := githubsim.New(githubsim.Options{Now: func() time.Time { return past }})
	w := &world{sim: sim}
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	w.api = srv
	sim.SetAPIURL(srv.URL)
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	inst, _, err := sim.InstallApp("alice", "acme")
	if err != nil {
		t.Fatal(err)
	}
	n, _, _ := sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "old"})
	is, _, err := w.client(t, inst).Issues.Get(context.Background(), "acme", "web", n)
	if err != nil || !is.GetCreatedAt().Time.Equal(past) {
		t.Errorf("created_at = %v, %v; want %v", is.GetCreatedAt(), err, past)
	}
}

func TestPrimaryRateLimitRunsOut(t *testing.T) {
	sim := githubsim.New(githubsim.Options{RateLimit: 2})
	w := &world{sim: sim, api: httptest.NewServer(sim)}
	t.Cleanup(w.api.Close)
	if err := sim.AddRepository("acme/web", githubsim.RepoOptions{}); err != nil {
		t.Fatal(err)
	}
	inst, _, _ := sim.InstallApp("alice", "acme")
	token := "token " + w.installationToken(t, inst)
	for i, want := range []int{200, 200, 403} {
		resp, body := w.do(t, "GET", "/repos/acme/web", token, "")
		if resp.StatusCode != want {
			t.Errorf("request %d: %d %s", i, resp.StatusCode, body)
		}
		if i == 2 {
			wantMessage(t, resp, body, 403, "API rate limit exceeded for installation ID")
			if resp.Header.Get("X-RateLimit-Remaining") != "0" {
				t.Errorf("remaining = %s", resp.Header.Get("X-RateLimit-Remaining"))
			}
		}
	}
	// GET /rate_limit still answers, and does not count.
	resp, body := w.do(t, "GET", "/rate_limit", token, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"remaining":0`) {
		t.Errorf("rate_limit: %d %s", resp.StatusCode, body)
	}
}
