package openapitest_test

import (
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

func TestMatch(t *testing.T) {
	spec := openapitest.Load(t)
	cases := []struct {
		method, path, want string
		ok                 bool
	}{
		{"GET", "/repos/acme/web/issues/12", "/repos/{owner}/{repo}/issues/{issue_number}", true},
		{"GET", "/repos/acme/web/issues/comments/99", "/repos/{owner}/{repo}/issues/comments/{comment_id}", true},
		{"PATCH", "/api/v3/repos/acme/web/issues/comments/99", "/repos/{owner}/{repo}/issues/comments/{comment_id}", true},
		{"POST", "/repos/acme/web/issues/12/comments?x=1", "/repos/{owner}/{repo}/issues/{issue_number}/comments", true},
		{"GET", "/repos/acme/.github/contents/.github/ownership.yml", "/repos/{owner}/{repo}/contents/{path}", true},
		{"POST", "/app/installations/7/access_tokens", "/app/installations/{installation_id}/access_tokens", true},
		{"PUT", "/repos/acme/web/issues/12", "", false},
		{"GET", "/repos/acme/web/made-up", "", false},
	}
	for _, c := range cases {
		got, ok := spec.Match(c.method, c.path)
		if got != c.want || ok != c.ok {
			t.Errorf("Match(%s %s) = %q, %v; want %q, %v", c.method, c.path, got, ok, c.want, c.ok)
		}
	}
	if !spec.Has("DELETE", "/repos/{owner}/{repo}/issues/comments/{comment_id}") || spec.Has("DELETE", "/repos/{owner}/{repo}/issues/{issue_number}") {
		t.Error("Has disagrees with GitHub's API")
	}
}
