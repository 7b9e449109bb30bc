package threads

import (
	"errors"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
)

func parse(t *testing.T, event, payload string) any {
	t.Helper()
	ev, err := github.ParseWebHook(event, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	return ev
}

const repo = `"repository":{"full_name":"Acme/Web"}`

func TestEveryCommentEventBecomesOneDiscussion(t *testing.T) {
	tests := []struct {
		name, event, payload string
		thread               string
		pullRequest          bool
		want                 []Comment
	}{
		{"a comment on an issue", "issue_comment",
			`{"action":"created","issue":{"number":3,"user":{"login":"bob"},"labels":[{"name":"bug"}]},` +
				`"comment":{"id":11,"body":"Users lose data.","user":{"login":"alice","type":"User"},"author_association":"MEMBER"},` + repo + `}`,
			store.ThreadIssue, false,
			[]Comment{{Kind: KindIssueComment, ID: 11, Body: "Users lose data.", Author: Author{Login: "alice", Association: "MEMBER"}}}},
		{"a deleted comment on a pull request's conversation", "issue_comment",
			`{"action":"deleted","issue":{"number":4,"pull_request":{"url":"x"}},"comment":{"id":12,"user":{"login":"alice"}},` + repo + `}`,
			store.ThreadPullRequest, false,
			[]Comment{{Kind: KindIssueComment, ID: 12, Author: Author{Login: "alice"}, Removed: true}}},
		{"a review with text", "pull_request_review",
			`{"action":"submitted","pull_request":{"number":4},"review":{"id":13,"body":"Slow.","user":{"login":"bot[bot]","type":"Bot"}},` + repo + `}`,
			store.ThreadPullRequest, true,
			[]Comment{{Kind: KindReview, ID: 13, Body: "Slow.", Author: Author{Login: "bot[bot]", IsBot: true}}}},
		{"a bare approval is no comment", "pull_request_review",
			`{"action":"submitted","pull_request":{"number":4},"review":{"id":14,"body":"  ","user":{"login":"alice"}},` + repo + `}`,
			store.ThreadPullRequest, true,
			[]Comment{{Kind: KindReview, ID: 14, Body: "  ", Author: Author{Login: "alice"}, Removed: true}}},
		{"a dismissed review still said what it said", "pull_request_review",
			`{"action":"dismissed","pull_request":{"number":4},"review":{"id":15,"body":"Slow."},` + repo + `}`,
			store.ThreadPullRequest, true, nil},
		{"a deleted review comment", "pull_request_review_comment",
			`{"action":"deleted","pull_request":{"number":4},"comment":{"id":16,"body":"nit","user":{"login":"alice"}},` + repo + `}`,
			store.ThreadPullRequest, true,
			[]Comment{{Kind: KindReviewComment, ID: 16, Body: "nit", Author: Author{Login: "alice"}, Removed: true}}},
		{"a resolved thread repeats its comments", "pull_request_review_thread",
			`{"action":"resolved","pull_request":{"number":4},"thread":{"comments":[{"id":17,"body":"a"},{"id":18,"body":"b"}]},` + repo + `}`,
			store.ThreadPullRequest, true,
			[]Comment{{Kind: KindReviewComment, ID: 17, Body: "a", OnlyNew: true}, {Kind: KindReviewComment, ID: 18, Body: "b", OnlyNew: true}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Discuss(42, parse(t, tt.event, tt.payload))
			if err != nil {
				t.Fatal(err)
			}
			if d.InstallationID != 42 || d.Repo != "Acme/Web" || d.Thread != tt.thread || (d.PullRequest != nil) != tt.pullRequest {
				t.Errorf("Discussion = %+v; want installation 42, Acme/Web, a %s, pull request carried %v", d, tt.thread, tt.pullRequest)
			}
			if len(d.Comments) != len(tt.want) {
				t.Fatalf("Comments = %+v, want %+v", d.Comments, tt.want)
			}
			for i, c := range d.Comments {
				c.CreatedAt = tt.want[i].CreatedAt
				if c != tt.want[i] {
					t.Errorf("comment %d = %+v, want %+v", i, c, tt.want[i])
				}
			}
		})
	}
}

func TestABotsMarkedCommentIsSetAsideForTheOwnershipCheck(t *testing.T) {
	d, err := Discuss(42, parse(t, "issue_comment", `{"action":"created","issue":{"number":3},`+
		`"comment":{"id":11,"body":"<!-- ownershipbot:report -->\nhello","user":{"login":"ownershipbot[bot]","type":"Bot"}},`+repo+`}`))
	if err != nil {
		t.Fatal(err)
	}
	// Record asks whether it is this App's: then only its id is kept;
	// another App's is recorded as a bot's comment.
	if d.marked == nil || d.marked.GetID() != 11 || len(d.Comments) != 1 || !d.Comments[0].Author.IsBot {
		t.Errorf("a bot's marked comment became marked %v, comments %+v; want it set aside and kept as a bot's comment", d.marked, d.Comments)
	}
}

func TestACommentEventWithoutItsThreadIsPermanent(t *testing.T) {
	for event, payload := range map[string]string{
		"issue_comment":               `{"action":"created","comment":{"id":1},` + repo + `}`,
		"pull_request_review":         `{"action":"submitted","review":{"id":1},` + repo + `}`,
		"pull_request_review_comment": `{"action":"created","pull_request":{"number":4},"comment":{"id":1}}`,
	} {
		_, err := Discuss(42, parse(t, event, payload))
		if permanent, _ := dispatch.Classify(err); err == nil || !permanent {
			t.Errorf("%s without its thread or repository: err = %v, want a permanent error", event, err)
		}
		if errors.Unwrap(err) == nil {
			t.Errorf("%s: the permanent error hides its cause", event)
		}
	}
}
