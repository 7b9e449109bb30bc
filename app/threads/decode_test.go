package threads_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/internal/jsonscan"
	"github.com/ownershipbot/ownershipbot/app/threads"
	"github.com/ownershipbot/ownershipbot/internal/githubsim/openapitest"
)

// read keeps of a go-github event what DecodeEvent promises to decode:
// of the repository its full name, of a pull request all but its head and
// base.
func read(ev any) any {
	repo := func(r *github.Repository) *github.Repository {
		if r == nil {
			return nil
		}
		return &github.Repository{FullName: r.FullName}
	}
	pr := func(p *github.PullRequest) *github.PullRequest {
		if p == nil {
			return nil
		}
		c := *p
		c.Head, c.Base = nil, nil
		return &c
	}
	switch e := ev.(type) {
	case *github.IssuesEvent:
		return &github.IssuesEvent{Action: e.Action, Issue: e.Issue, Label: e.Label, Changes: e.Changes, Repo: repo(e.Repo)}
	case *github.IssueCommentEvent:
		return &github.IssueCommentEvent{Action: e.Action, Issue: e.Issue, Comment: e.Comment, Changes: e.Changes, Repo: repo(e.Repo)}
	case *github.PullRequestEvent:
		return &github.PullRequestEvent{Action: e.Action, Number: e.Number, PullRequest: pr(e.PullRequest), Label: e.Label,
			Changes: e.Changes, Repo: repo(e.Repo)}
	case *github.PullRequestReviewEvent:
		return &github.PullRequestReviewEvent{Action: e.Action, Review: e.Review, PullRequest: pr(e.PullRequest), Repo: repo(e.Repo)}
	case *github.PullRequestReviewCommentEvent:
		return &github.PullRequestReviewCommentEvent{Action: e.Action, Comment: e.Comment, PullRequest: pr(e.PullRequest),
			Changes: e.Changes, Repo: repo(e.Repo)}
	case *github.PullRequestReviewThreadEvent:
		return &github.PullRequestReviewThreadEvent{Action: e.Action, Thread: e.Thread, PullRequest: pr(e.PullRequest), Repo: repo(e.Repo)}
	}
	return ev
}

// Of every example GitHub documents of the events the handlers read,
// DecodeEvent decodes what github.ParseWebHook does in the fields the
// handlers use, and leaves the rest out.
func TestDecodeEventReadsWhatParseWebHookDoes(t *testing.T) {
	decoded := map[string]int{}
	for _, ev := range openapitest.Examples(t) {
		for i, payload := range ev.Examples {
			want, wantErr := github.ParseWebHook(ev.Name, payload)
			got, err := threads.DecodeEvent(ev.Name, payload)
			if (err == nil) != (wantErr == nil) {
				t.Fatalf("%s example %d: DecodeEvent error %v, ParseWebHook error %v", ev.Name, i, err, wantErr)
			}
			if !reflect.DeepEqual(got, read(want)) {
				t.Errorf("%s example %d: DecodeEvent differs from ParseWebHook in what the handlers read:\n%+v\n%+v", ev.Name, i, got, read(want))
			}
			if !reflect.DeepEqual(got, want) {
				decoded[ev.Name]++ // decoded in part
			}
		}
	}
	for _, name := range []string{"issues", "issue_comment", "pull_request", "pull_request_review",
		"pull_request_review_comment", "pull_request_review_thread"} {
		if decoded[name] == 0 {
			t.Errorf("no %s example was decoded in part", name)
		}
	}
}

func TestDecodeEventRefusesWhatParseWebHookRefuses(t *testing.T) {
	for _, payload := range []string{`{`, `{"issue":5}`, `{"repository":"x"}`, `{"action":1}`, `[]`} {
		_, wantErr := github.ParseWebHook("issues", []byte(payload))
		if _, err := threads.DecodeEvent("issues", []byte(payload)); err == nil || wantErr == nil {
			t.Errorf("%s: DecodeEvent error %v, ParseWebHook error %v; both should fail", payload, err, wantErr)
		}
	}
}

func BenchmarkDecodeEvent(b *testing.B) {
	for _, ev := range openapitest.Examples(b) {
		if ev.Name != "issues" && ev.Name != "issue_comment" && ev.Name != "pull_request" {
			continue
		}
		payload := ev.Examples[0]
		for _, decode := range []struct {
			name string
			fn   func(string, []byte) (any, error)
		}{{"DecodeEvent", threads.DecodeEvent}, {"ParseWebHook", github.ParseWebHook}} {
			b.Run(ev.Name+"/"+decode.name, func(b *testing.B) {
				b.SetBytes(int64(len(payload)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := decode.fn(ev.Name, payload); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// What intake stores of every documented example decodes, for the
// handlers and for the envelope, as the whole payload does, and leaves out
// the sender; other events are stored whole.
func TestTrimmedPayloadDecodesAsTheWhole(t *testing.T) {
	trimmed := map[string]bool{}
	for _, ev := range openapitest.Examples(t) {
		for i, payload := range ev.Examples {
			short, err := threads.TrimPayload(ev.Name, payload)
			if err != nil {
				t.Fatalf("%s example %d: %v", ev.Name, i, err)
			}
			if !bytes.Equal(short, payload) {
				trimmed[ev.Name] = true
			}
			want, wantErr := threads.DecodeEvent(ev.Name, payload)
			got, err := threads.DecodeEvent(ev.Name, short)
			if (err == nil) != (wantErr == nil) || !reflect.DeepEqual(got, want) {
				t.Errorf("%s example %d: the trimmed payload decodes differently (%v, %v)", ev.Name, i, err, wantErr)
			}
			wantEnv, _ := dispatch.ParseEnvelope(payload)
			if gotEnv, err := dispatch.ParseEnvelope(short); err != nil || !reflect.DeepEqual(gotEnv, wantEnv) {
				t.Errorf("%s example %d: the trimmed payload's envelope is %+v (%v), want %+v", ev.Name, i, gotEnv, err, wantEnv)
			}
			if members, _ := jsonscan.Members(short, "sender"); trimmed[ev.Name] && members[0] != nil {
				t.Errorf("%s example %d: the sender is kept", ev.Name, i)
			}
		}
	}
	for _, name := range []string{"issues", "issue_comment", "pull_request", "pull_request_review",
		"pull_request_review_comment", "pull_request_review_thread"} {
		if !trimmed[name] {
			t.Errorf("no %s example was trimmed", name)
		}
	}
	for _, name := range []string{"installation", "push", "installation_repositories"} {
		if trimmed[name] {
			t.Errorf("a %s example was trimmed; its handler reads it whole", name)
		}
	}
}
