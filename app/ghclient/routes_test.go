package ghclient

import (
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

func TestEveryRouteIsGitHubs(t *testing.T) {
	spec := openapitest.Load(t)
	for _, r := range Routes {
		found := false
		for _, m := range []string{"GET", "POST", "PATCH", "PUT", "DELETE"} {
			found = found || spec.Has(m, r)
		}
		if !found {
			t.Errorf("%s is not a route of GitHub's REST API", r)
		}
	}
}

func TestRouteTemplates(t *testing.T) {
	tests := map[string]string{
		"/repos/acme/web/issues/12/comments":                   "/repos/{owner}/{repo}/issues/{issue_number}/comments",
		"/repos/acme/web/issues/comments/99":                   "/repos/{owner}/{repo}/issues/comments/{comment_id}",
		"/repos/acme/web/issues/12":                            "/repos/{owner}/{repo}/issues/{issue_number}",
		"/repos/acme/web/contents/.github/ownership.yml":       "/repos/{owner}/{repo}/contents/{path}",
		"/app/installations/7/access_tokens":                   "/app/installations/{installation_id}/access_tokens",
		"/orgs/acme/teams/product/memberships/priya":           "/orgs/{org}/teams/{team_slug}/memberships/{username}",
		"/repos/acme/web/issues/12/labels/needs%20owner":       "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
		"/repos/acme/web/issues/12/labels/team%2Fweb":          "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
		"/repos/acme/web/check-runs":                           "/repos/{owner}/{repo}/check-runs",
		"/repos/acme/web/issues":                               OtherRoute,
		"/user":                                                OtherRoute,
		"/repos/acme/web/issues/12/comments/extra/segments/xx": OtherRoute,
	}
	for path, want := range tests {
		if got := Route(path); got != want {
			t.Errorf("Route(%q) = %q, want %q", path, got, want)
		}
	}
}
