package githubsim_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

// A person opens an issue; the App (here a stub) gets the signed webhook.
func Example() {
	app := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer app.Close()

	sim := githubsim.New(githubsim.Options{AppID: 7})
	api := httptest.NewServer(sim) // the App's GITHUB_API_URL
	defer api.Close()
	sim.SetAPIURL(api.URL)
	sim.SetWebhook(app.URL+"/webhook", "secret")

	sim.AddTeam("acme", "eng", "alice")
	_ = sim.AddRepository("acme/web", githubsim.RepoOptions{Files: map[string]string{".github/ownership.yml": "comment: missing\n"}})
	if _, _, err := sim.InstallApp("alice", "acme"); err != nil {
		panic(err)
	}
	n, d, err := sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "Checkout is slow"})
	fmt.Println(n, d.Event, d.Action, d.Status, err)
	// Output: 1 issues opened 202 <nil>
}
