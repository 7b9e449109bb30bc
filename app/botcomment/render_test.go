package botcomment

import (
	"strings"
	"testing"
)

func TestRenderIssue(t *testing.T) {
	base := IssueStatus{LabelPattern: "owner:*", OwnerFields: []string{"Owner", "DRI"}, DocsURL: "https://docs.example/config"}
	withOwner := base
	withOwner.Owner, withOwner.OwnerSource = "@alice", "assignee"
	withWhy := base
	withWhy.HasRationale, withWhy.RationaleEvidence = true, "### Problem"
	both := withOwner
	both.HasRationale, both.RationaleEvidence = true, "so that admins can export audit logs"
	broken := base
	broken.ConfigSource, broken.ConfigProblem = "acme/web/.github/ownership.yml", `line 1: "comments" is not a setting`

	tests := []struct {
		name      string
		status    IssueStatus
		want, not []string
	}{
		{"nothing found says both and how to fix each", base,
			[]string{"no owner yet and does not say why", "assign someone", "`Owner: @login`", "labels matching `owner:*`", "`### Why`", "https://docs.example/config"}, nil},
		{"owner only asks for the reason", withOwner,
			[]string{"does not say why", "`@alice` (assignee)"}, []string{"assign someone"}},
		{"reason only asks for the owner", withWhy,
			[]string{"no owner yet", "“### Problem”"}, []string{"`### Why` section"}},
		{"complete thanks and asks nothing", both,
			[]string{"Owner and rationale found"}, []string{"To fix it"}},
		{"config problem is explained", broken,
			[]string{"acme/web/.github/ownership.yml` could not be used", "runs with the defaults", `"comments" is not a setting`}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := RenderIssue(tt.status)
			if !strings.HasPrefix(got, Marker) {
				t.Fatalf("comment does not start with the marker:\n%s", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in:\n%s", w, got)
				}
			}
			for _, n := range tt.not {
				if strings.Contains(got, n) {
					t.Errorf("unexpected %q in:\n%s", n, got)
				}
			}
		})
	}
}

func TestRenderIssueNeverPingsAnyone(t *testing.T) {
	s := IssueStatus{Owner: "@alice", OwnerSource: "body", HasRationale: false}
	got := RenderIssue(s)
	// An @mention outside a code span notifies the person.
	for _, line := range strings.Split(got, "\n") {
		outside := strings.Join(everyOther(strings.Split(line, "`")), "")
		if strings.Contains(outside, "@alice") {
			t.Fatalf("the owner is mentioned outside code, which would notify them:\n%s", line)
		}
	}
}

func everyOther(parts []string) []string {
	var out []string
	for i := 0; i < len(parts); i += 2 {
		out = append(out, parts[i])
	}
	return out
}

func TestHashChangesWithText(t *testing.T) {
	a := Hash("a")
	if a == Hash("b") || a != Hash("a") {
		t.Fatal("hash does not identify text")
	}
}
