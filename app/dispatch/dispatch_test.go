package dispatch_test

import (
	"context"
	"slices"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/store"
)

type recorder struct{ got []string }

func (r *recorder) Events() []string                               { return []string{"issues"} }
func (r *recorder) Permissions() map[string]string                 { return map[string]string{"issues": "write"} }
func (r *recorder) Wants(event string, env dispatch.Envelope) bool { return true }
func (r *recorder) Handle(ctx context.Context, d store.Delivery) error {
	r.got = append(r.got, d.Event)
	return nil
}

func TestInternalEventsAreHandledButNeverAcceptedOrSubscribed(t *testing.T) {
	h := &recorder{}
	r := dispatch.NewRegistry(h)
	r.Internal("ownershipbot.linked_issue_changed", h)
	if r.Wants("ownershipbot.linked_issue_changed", dispatch.Envelope{}) {
		t.Error("intake would accept an internal event from a webhook")
	}
	if slices.Contains(r.Events(), "ownershipbot.linked_issue_changed") {
		t.Error("the App would subscribe to an internal event")
	}
	if err := r.Handle(context.Background(), store.Delivery{Event: "ownershipbot.linked_issue_changed"}); err != nil || len(h.got) != 1 {
		t.Errorf("internal delivery not handled: %v %v", h.got, err)
	}
}

func TestOrderKeys(t *testing.T) {
	tests := map[string]string{
		`{"issue":{"number":3},"repository":{"full_name":"Acme/Web"}}`:        "acme/web#3",
		`{"pull_request":{"number":9},"repository":{"full_name":"acme/api"}}`: "acme/api#9",
		`{"installation":{"id":42},"repositories_added":[]}`:                  "installation:42",
		`{"zen":"ping"}`: "",
	}
	for payload, want := range tests {
		env, err := dispatch.ParseEnvelope([]byte(payload))
		if err != nil {
			t.Fatal(err)
		}
		if got := env.OrderKey(); got != want {
			t.Errorf("OrderKey(%s) = %q, want %q", payload, got, want)
		}
	}
}

// onKind wants issue_comment deliveries on issues, or on pull requests.
type onKind struct {
	recorder
	pulls bool
}

func (h *onKind) Events() []string { return []string{"issue_comment"} }
func (h *onKind) Wants(event string, env dispatch.Envelope) bool {
	return (env.Issue.PullRequest != nil) == h.pulls
}

func TestASharedEventGoesToTheHandlerThatWantsIt(t *testing.T) {
	issues, pulls := &onKind{}, &onKind{pulls: true}
	r := dispatch.NewRegistry(issues, pulls)
	onIssue := []byte(`{"action":"created","issue":{"number":3}}`)
	onPull := []byte(`{"action":"created","issue":{"number":4,"pull_request":{"url":"x"}}}`)
	for _, p := range [][]byte{onIssue, onPull, onPull} {
		if err := r.Handle(context.Background(), store.Delivery{Event: "issue_comment", Payload: p}); err != nil {
			t.Fatal(err)
		}
	}
	if len(issues.got) != 1 || len(pulls.got) != 2 {
		t.Errorf("issue handler got %d, pull request handler %d deliveries; want 1 and 2", len(issues.got), len(pulls.got))
	}
	if !slices.Equal(r.Events(), []string{"issue_comment"}) {
		t.Errorf("Events = %v, want the shared event once", r.Events())
	}
}
