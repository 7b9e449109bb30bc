package githubsim_test

import (
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

func TestEveryRouteIsGitHubs(t *testing.T) {
	spec := openapitest.Load(t)
	if len(githubsim.Routes) == 0 {
		t.Fatal("no routes")
	}
	for _, r := range githubsim.Routes {
		if !spec.Has(r.Method, r.Path) {
			t.Errorf("%s %s is not in GitHub's OpenAPI description", r.Method, r.Path)
		}
	}
}

// assertRealRoutes checks every request the Sim answered against GitHub's
// API description and the Sim's own idea of the route.
func assertRealRoutes(t *testing.T, sim *githubsim.Sim) {
	t.Helper()
	spec := openapitest.Load(t)
	for _, r := range sim.Requests() {
		tmpl, ok := spec.Match(r.Method, r.Path)
		if r.Route == "" {
			if r.Status != 404 {
				t.Errorf("%s %s: unknown route answered %d", r.Method, r.Path, r.Status)
			}
			continue
		}
		if !ok || tmpl != r.Route {
			t.Errorf("%s %s: sim route %q, GitHub's %q (%v)", r.Method, r.Path, r.Route, tmpl, ok)
		}
	}
}
