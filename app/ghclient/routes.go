package ghclient

import "strings"

// Routes are the templates of the REST routes ownershipbot calls, as GitHub's
// OpenAPI description names them. Requests are counted by template, never by
// URL, so metric labels carry no repository, issue or user.
var Routes = []string{
	"/app",
	"/app/hook/deliveries",
	"/app/hook/deliveries/{delivery_id}/attempts",
	"/app/installations",
	"/app/installations/{installation_id}/access_tokens",
	"/app-manifests/{code}/conversions",
	"/orgs/{org}/teams/{team_slug}/memberships/{username}",
	"/rate_limit",
	"/installation/repositories",
	"/repos/{owner}/{repo}/check-runs",
	"/repos/{owner}/{repo}/contents/{path}",
	"/repos/{owner}/{repo}/installation",
	"/repos/{owner}/{repo}/issues/comments/{comment_id}",
	"/repos/{owner}/{repo}/issues/{issue_number}",
	"/repos/{owner}/{repo}/issues/{issue_number}/comments",
	"/repos/{owner}/{repo}/issues/{issue_number}/labels",
	"/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
	"/repos/{owner}/{repo}/pulls/{pull_number}",
	"/repos/{owner}/{repo}/pulls/{pull_number}/comments",
	"/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
}

// OtherRoute labels a request to a path outside Routes.
const OtherRoute = "other"

// GraphQLRoute labels requests to GitHub's GraphQL API (/graphql, and
// /api/graphql on GitHub Enterprise Server).
const GraphQLRoute = "/graphql"

var splitRoutes = func() [][]string {
	out := make([][]string, len(Routes))
	for i, r := range Routes {
		out[i] = strings.Split(strings.Trim(r, "/"), "/")
	}
	return out
}()

// Route returns the template in Routes that matches a request path relative
// to the API base (such as "/repos/acme/web/issues/12/comments"), or
// OtherRoute. A template's last {path} parameter matches the rest of the path.
func Route(path string) string {
	if p := strings.TrimSuffix(path, "/"); p == "/graphql" || p == "/api/graphql" {
		return GraphQLRoute
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	for i, tmpl := range splitRoutes {
		if matchSegments(tmpl, segs) {
			return Routes[i]
		}
	}
	return OtherRoute
}

func matchSegments(tmpl, segs []string) bool {
	for i, t := range tmpl {
		if i >= len(segs) {
			return false
		}
		if t == "{path}" && i == len(tmpl)-1 {
			return true
		}
		if strings.HasPrefix(t, "{") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if t != segs[i] {
			return false
		}
	}
	return len(tmpl) == len(segs)
}
