package githubsim_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/githubsim"
)

func TestCheckRunsAreValidatedLikeGitHubs(t *testing.T) {
	w := newWorld(t)
	d, err := w.sim.PushToBranch("alice", "acme/web", "cfg", "Try", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: never\n"})
	if err != nil {
		t.Fatal(err)
	}
	var push struct{ After string }
	json.Unmarshal(d.Body, &push)
	token := "token " + w.installationToken(t, w.inst)
	post := func(body string) (int, []byte) {
		resp, b := w.do(t, "POST", "/repos/acme/web/check-runs", token, body)
		return resp.StatusCode, b
	}
	output := func(summary string, annotations int) string {
		var as []string
		for i := range annotations {
			as = append(as, fmt.Sprintf(`{"path":".github/ownership.yml","start_line":%d,"end_line":%d,"annotation_level":"failure","message":"m"}`, i+1, i+1))
		}
		s, _ := json.Marshal(summary)
		return fmt.Sprintf(`"output":{"title":"t","summary":%s,"annotations":[%s]}`, s, strings.Join(as, ","))
	}
	for _, tc := range []struct {
		name, body string
		status     int
		message    string
	}{
		{"no name", `{"head_sha":"` + push.After + `"}`, 422, `name\" wasn't supplied`},
		{"an unknown commit", `{"name":"c","head_sha":"` + strings.Repeat("a", 40) + `"}`, 422, "No commit found for SHA"},
		{"completed without a conclusion", `{"name":"c","head_sha":"` + push.After + `","status":"completed"}`, 422, "conclusion"},
		{"a summary over 65535 characters", `{"name":"c","head_sha":"` + push.After + `","conclusion":"failure",` + output(strings.Repeat("é", 65536), 0) + `}`, 422, "65535 characters"},
		{"51 annotations", `{"name":"c","head_sha":"` + push.After + `","conclusion":"failure",` + output("s", 51) + `}`, 422, "50 annotations"},
		{"a branch's commit, 50 annotations", `{"name":"c","head_sha":"` + push.After + `","conclusion":"failure",` + output(strings.Repeat("é", 65535), 50) + `}`, 201, ""},
	} {
		status, body := post(tc.body)
		if status != tc.status || !strings.Contains(string(body), tc.message) {
			t.Errorf("%s: %d %.200s, want %d with %q", tc.name, status, body, tc.status, tc.message)
		}
	}
	runs := w.sim.CheckRuns("acme/web")
	if len(runs) != 1 || runs[0].Conclusion != "failure" || runs[0].Status != "completed" || len(runs[0].Annotations) != 50 {
		t.Fatalf("check runs %+v", runs)
	}

	if err := w.sim.SetInstallationPermissions("acme", map[string]string{"issues": "write", "metadata": "read"}); err != nil {
		t.Fatal(err)
	}
	status, body := post(`{"name":"c","head_sha":"` + push.After + `","conclusion":"success"}`)
	if status != 403 || !strings.Contains(string(body), "Resource not accessible by integration") {
		t.Errorf("without checks: write: %d %s", status, body)
	}
}

func TestContentsAtACommitAndABranch(t *testing.T) {
	w := newWorld(t)
	w.sim.SetFile("acme/web", ".github/ownership.yml", "comment: always\n")
	d, err := w.sim.PushToBranch("alice", "acme/web", "cfg", "Try", githubsim.FileChange{Path: ".github/ownership.yml", Content: "comment: never\n"})
	if err != nil {
		t.Fatal(err)
	}
	var push struct{ After string }
	json.Unmarshal(d.Body, &push)
	token := "token " + w.installationToken(t, w.inst)
	for ref, want := range map[string]string{"": "comment: always\n", "main": "comment: always\n", "cfg": "comment: never\n", push.After: "comment: never\n"} {
		resp, body := w.do(t, "GET", "/repos/acme/web/contents/.github/ownership.yml?ref="+ref, token, "")
		var f struct{ Content string }
		json.Unmarshal(body, &f)
		if resp.StatusCode != 200 || !strings.Contains(f.Content, b64(want)) {
			t.Errorf("ref %q: %d %s, want %q", ref, resp.StatusCode, body, want)
		}
	}
	resp, body := w.do(t, "GET", "/repos/acme/web/contents/.github/ownership.yml?ref="+strings.Repeat("b", 40), token, "")
	wantMessage(t, resp, body, 404, "No commit found for the ref")
}

func TestIssueLabelsAddAndRemove(t *testing.T) {
	w := newWorld(t)
	n, _, err := w.sim.OpenIssue("carol", "acme/web", githubsim.IssueInput{Title: "x", Labels: []string{"bug"}})
	if err != nil {
		t.Fatal(err)
	}
	token := "token " + w.installationToken(t, w.inst)
	path := fmt.Sprintf("/repos/acme/web/issues/%d/labels", n)
	before := len(w.sim.Deliveries())
	for _, body := range []string{`["needs owner"]`, `{"labels":["needs owner"]}`} {
		resp, b := w.do(t, "POST", path, token, body)
		if resp.StatusCode != 200 || !strings.Contains(string(b), `"name":"needs owner"`) {
			t.Fatalf("add %s: %d %s", body, resp.StatusCode, b)
		}
	}
	w.sim.Wait()
	if got := w.sim.Labels("acme/web", n); !slices.Equal(got, []string{"bug", "needs owner"}) {
		t.Fatalf("labels %v", got)
	}
	if sent := len(w.sim.Deliveries()) - before; sent != 1 {
		t.Fatalf("%d webhooks for adding one label twice, want one issues.labeled", sent)
	}
	resp, b := w.do(t, "DELETE", path+"/needs%20owner", token, "")
	if resp.StatusCode != 200 || strings.Contains(string(b), "needs owner") {
		t.Fatalf("remove: %d %s", resp.StatusCode, b)
	}
	resp, b = w.do(t, "DELETE", path+"/needs%20owner", token, "")
	wantMessage(t, resp, b, 404, "Label does not exist")
	w.sim.Wait()
	last := w.sim.Deliveries()[len(w.sim.Deliveries())-1]
	if last.Event != "issues" || last.Action != "unlabeled" {
		t.Fatalf("last webhook %s.%s, want issues.unlabeled", last.Event, last.Action)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
