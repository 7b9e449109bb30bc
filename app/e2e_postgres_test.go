package app_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/apptest"
	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/pgtest"
)

// TestTwoReplicasOnPostgreSQLShareTheWork runs two Apps on one PostgreSQL
// database behind a round-robin load balancer, as a deployment with several
// replicas does.
func TestTwoReplicasOnPostgreSQLShareTheWork(t *testing.T) {
	db := pgtest.Database(t)
	a := apptest.Start(t, apptest.Options{DatabaseURL: db})
	b := apptest.Start(t, apptest.Options{DatabaseURL: db, Sim: a.Sim, SimURL: a.SimURL})

	var next atomic.Int64
	backends := []*httputil.ReverseProxy{proxyTo(t, a.URL), proxyTo(t, b.URL)}
	lb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		backends[next.Add(1)%2].ServeHTTP(w, r)
	}))
	defer lb.Close()
	a.Sim.SetWebhook(lb.URL+"/webhook", apptest.Secret)

	const issues = 8
	for i := 1; i <= issues; i++ {
		n, d, err := a.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: fmt.Sprintf("Issue %d", i), Body: bareBody})
		a.Accepted(d, err)
		_, d, err = a.Sim.AddComment("outsider", "acme/web", n, productComment)
		a.Accepted(d, err)
		a.Accepted(a.Sim.AssignIssue("bob", "acme/web", n, "bob"))
		if i%2 == 0 {
			a.Accepted(a.Sim.EditIssueBody("bob", "acme/web", n, completeBody))
		}
	}
	a.Idle()

	for n := 1; n <= issues; n++ {
		got := a.Sim.BotComments("acme/web", n)
		switch {
		case n%2 == 1 && len(got) != 1:
			t.Errorf("issue %d lacks a reason and has %d bot comments, want 1", n, len(got))
		case n%2 == 0 && len(got) > 1:
			t.Errorf("issue %d has %d bot comments, want at most 1", n, len(got))
		case n%2 == 0 && len(got) == 1 && !strings.Contains(got[0].Body, "Owner and rationale found"):
			// Complete by the time its events were handled together, an
			// issue may never need a comment; one written earlier says it
			// is complete now.
			t.Errorf("issue %d is complete but its comment says:\n%s", n, got[0].Body)
		}
	}
	counts, err := a.Store.IssueCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(counts) != 2 || counts[0].Count+counts[1].Count != issues {
		t.Fatalf("issue counts %+v, want %d issues in two series", counts, issues)
	}
	for name, h := range map[string]*apptest.Harness{"first": a, "second": b} {
		if got := h.Counter("ownershipbot_deliveries_processed_total", map[string]string{"outcome": "done"}); got == 0 {
			t.Errorf("the %s replica processed no delivery", name)
		}
	}
	// Every replica reports the same store gauges.
	if ga, gb := issueGauge(t, a.URL), issueGauge(t, b.URL); ga != gb || ga == "" {
		t.Fatalf("replicas disagree on ownershipbot_issues:\n%s\nvs\n%s", ga, gb)
	}
}

func proxyTo(t *testing.T, raw string) *httputil.ReverseProxy {
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return httputil.NewSingleHostReverseProxy(u)
}

func issueGauge(t *testing.T, base string) string {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return grep(string(body), "ownershipbot_issues{")
}

// An uninstall is handled by one replica; the others drop the departed
// repositories' series too, at their next hourly clean-up, rather than
// export them until they restart.
func TestEveryReplicaForgetsAnUninstalledRepositorysSeries(t *testing.T) {
	db := pgtest.Database(t)
	a := apptest.Start(t, apptest.Options{DatabaseURL: db})
	b := apptest.Start(t, apptest.Options{DatabaseURL: db, Sim: a.Sim, SimURL: a.SimURL})
	n, d, err := a.Sim.OpenIssue("bob", "acme/web", githubsim.IssueInput{Title: "Export", Body: bareBody})
	a.Accepted(d, err)
	_, d, err = a.Sim.AddComment("outsider", "acme/web", n, productComment)
	a.Accepted(d, err)
	a.Idle()
	b.Idle()
	// Either replica's workers may have taken the comment: counted is the
	// one that did, other the one that handles the uninstall.
	series := map[string]string{"repository": "acme/web"}
	counted, other := a, b
	if b.Counter("ownershipbot_comments_analyzed_total", series) == 1 {
		counted, other = b, a
	}
	if got := counted.Counter("ownershipbot_comments_analyzed_total", series); got != 1 {
		t.Fatalf("no replica counted the comment once (%v)", got)
	}
	// The other replica handles the uninstall: it purges the store (and its
	// own series), as its handler does.
	if err := other.Store.DeleteInstallation(context.Background(), a.Sim.Installation("acme")); err != nil {
		t.Fatal(err)
	}
	if _, err := counted.App.Prune(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := counted.Counter("ownershipbot_comments_analyzed_total", series); got != 0 {
		t.Errorf("after the uninstall the replica that counted still exports acme/web's series (%v)", got)
	}
}
