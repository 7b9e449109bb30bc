package botcomment

import (
	"strings"
	"testing"
)

func TestRenderPullRequest(t *testing.T) {
	docs := "https://docs.example/config"
	ownedWhy := PullLink{Ref: "#12", Closing: true, Kind: LinkIssue, Owner: "@bob", HasRationale: true}
	unowned := PullLink{Ref: "#7", Closing: true, Kind: LinkIssue}
	tests := []struct {
		name      string
		status    PullRequestStatus
		satisfied bool
		want, not []string
	}{
		{"bare pull request asks for a link or a reason", PullRequestStatus{DocsURL: docs}, false,
			[]string{"links no owned issue and does not say why", "none found in the title or description", "`Fixes #123`", "`### Why`", "do either", docs},
			[]string{"review comment"}},
		{"owned and reasoned issue thanks and asks nothing", PullRequestStatus{Links: []PullLink{ownedWhy}, DocsURL: docs}, true,
			[]string{"Linked to an owned issue, with a reason", "`#12`: owner `@bob`, says why", "a linked issue says why"},
			[]string{"To fix it"}},
		{"a reason in the description is enough by default", PullRequestStatus{HasReason: true, ReasonEvidence: "### Why", DocsURL: docs}, true,
			[]string{"The description says why", "stated in the description (`### Why`)"}, []string{"To fix it"}},
		{"with require_linked_issue a reason is not enough", PullRequestStatus{HasReason: true, RequireLinkedIssue: true, DocsURL: docs}, false,
			[]string{"which this repository requires", "make sure that issue has an owner"}, []string{"do either"}},
		{"an unowned linked issue is shown as such", PullRequestStatus{Links: []PullLink{unowned}, DocsURL: docs}, false,
			[]string{"`#7`: no owner, does not say why"}, nil},
		{"outside, missing and pull request links are shown, not judged", PullRequestStatus{Links: []PullLink{
			{Ref: "other/lib#5", Kind: LinkOutside}, {Ref: "#99", Closing: true, Kind: LinkMissing}, {Ref: "#30", Kind: LinkPullRequest}}}, false,
			[]string{"`other/lib#5` (related): outside this installation, not checked", "`#99`: not found", "`#30` (related): a pull request"}, nil},
		{"discussion is summed up in one line", PullRequestStatus{Links: []PullLink{ownedWhy},
			Discussion: Discussion{Total: 11, ProductLevel: 3, Concerns: []string{"performance", "reliability", "security_privacy"}}}, true,
			[]string{"3 of 11 review comments raised product-level concerns: performance, reliability, security and privacy."}, nil},
		{"discussion without product concerns says so", PullRequestStatus{Discussion: Discussion{Total: 1}}, false,
			[]string{"None of the 1 review comment raised a product-level concern yet."}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.status.Satisfied(); got != tt.satisfied {
				t.Errorf("Satisfied() = %v, want %v", got, tt.satisfied)
			}
			got := RenderPullRequest(tt.status)
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

func TestRenderPullRequestNeverPingsOrLinksAnyone(t *testing.T) {
	s := PullRequestStatus{Links: []PullLink{{Ref: "#12", Closing: true, Kind: LinkIssue, Owner: "@alice"}, {Ref: "@acme/team#3", Kind: LinkOutside}},
		Discussion: Discussion{Total: 2, ProductLevel: 1, Concerns: []string{"user_experience"}}}
	for _, line := range strings.Split(RenderPullRequest(s), "\n") {
		outside, _ := splitCode(line)
		if strings.Contains(outside, "@") {
			t.Fatalf("a login is mentioned outside code, which would notify them:\n%s", line)
		}
		if strings.Contains(outside, "#12") {
			t.Fatalf("an issue is referenced outside code, which would add a cross-reference to it:\n%s", line)
		}
	}
}

func TestDiscussionLineIsEmptyBeforeAnyComment(t *testing.T) {
	if got := DiscussionLine(Discussion{}); got != "" {
		t.Fatalf("DiscussionLine with no comments = %q, want empty", got)
	}
}
