package openapitest_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
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

func TestRouteTableRoundTrips(t *testing.T) {
	doc := `{"paths": {"/repos/{owner}/{repo}/issues": {"get": {}, "post": {}, "parameters": []},
		"/user": {"get": {}}, "/only-params": {"parameters": []}}}`
	spec, err := openapitest.ReadOpenAPI(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := spec.WriteRoutes(&b, "from a test\nsecond line"); err != nil {
		t.Fatal(err)
	}
	want := "# from a test\n# second line\nGET /repos/{owner}/{repo}/issues\nPOST /repos/{owner}/{repo}/issues\nGET /user\n"
	if b.String() != want {
		t.Fatalf("route table:\n%s\nwant:\n%s", b.String(), want)
	}
	again, err := openapitest.ReadRoutes(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	if !again.Has("POST", "/repos/{owner}/{repo}/issues") || again.Has("GET", "/only-params") || again.Has("DELETE", "/user") {
		t.Error("the route table read back differs from the document")
	}
	if _, err := openapitest.ReadRoutes(strings.NewReader("FETCH /user\n")); err == nil {
		t.Error("a line that is not METHOD /path was accepted")
	}
}

func TestWebhookShapesRoundTrip(t *testing.T) {
	var examples []map[string]any
	for _, s := range []string{
		`{"action": "opened", "issue": {"user": {"login": "a", "id": 1}, "assignee": null, "labels": [{"name": "bug"}]},
		  "sender": {"login": "a", "id": 1}, "only_here": true}`,
		`{"action": "opened", "issue": {"user": {"login": "b", "id": 2}, "assignee": {"login": "c", "id": 3}, "labels": []},
		  "sender": {"login": "b", "id": 2}}`,
	} {
		var x map[string]any
		if err := json.Unmarshal([]byte(s), &x); err != nil {
			t.Fatal(err)
		}
		examples = append(examples, x)
	}
	shapes := map[string]openapitest.Shape{"issues.opened": openapitest.ShapeOf(examples), "issues": openapitest.ShapeOf(examples[:1])}
	want := openapitest.Shape{
		"action": {"string": true}, "issue": {"object": true}, "issue.user": {"object": true},
		"issue.user.login": {"string": true}, "issue.user.id": {"number": true},
		"issue.assignee": {"null": true, "object": true}, "issue.labels": {"array": true},
		"sender": {"object": true}, "sender.login": {"string": true}, "sender.id": {"number": true},
	}
	if !reflect.DeepEqual(shapes["issues.opened"], want) {
		t.Fatalf("ShapeOf = %v, want %v", shapes["issues.opened"], want)
	}
	var b bytes.Buffer
	if err := openapitest.WriteShapes(&b, "test", shapes); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(b.String(), `"login": "string"`); n != 1 {
		t.Errorf("the user object is written %d times, want once:\n%s", n, b.String())
	}
	got, err := openapitest.ReadShapes(&b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, shapes) {
		t.Errorf("read back %v, want %v", got, shapes)
	}
}

func TestCommittedShapesCoverTheSimsEvents(t *testing.T) {
	shapes := openapitest.WebhookShapes(t)
	for _, ev := range openapitest.WebhookEvents {
		if len(shapes[ev]) == 0 {
			t.Errorf("%s has no shape in %s", ev, openapitest.ShapesFile)
		}
	}
	if p := shapes["issues.opened"]["issue.user.login"]; !p["string"] {
		t.Errorf("issues.opened: issue.user.login = %v, want string", p)
	}
}
