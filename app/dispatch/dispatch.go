// Package dispatch routes stored webhook deliveries to the handlers of their
// event family, and runs the worker pool that processes them from the
// durable queue.
package dispatch

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/store"
)

// Missing names what event's payload lacks that handling it needs (its
// installation, repository, issue, pull request or comment), or "" when
// nothing is missing. Such a payload can never be handled, so it is
// refused rather than stored and retried.
func (e Envelope) Missing(event string) string {
	var missing []string
	if e.Installation.ID == 0 {
		missing = append(missing, "installation")
	}
	needsRepo := event != "installation" && event != "installation_repositories"
	if needsRepo && e.Repository.FullName == "" {
		missing = append(missing, "repository")
	}
	switch event {
	case "issues", "issue_comment":
		if e.Issue.Number == 0 {
			missing = append(missing, "issue")
		}
	case "pull_request", "pull_request_review", "pull_request_review_comment", "pull_request_review_thread":
		if e.PullRequest.Number == 0 {
			missing = append(missing, "pull_request")
		}
	}
	if (event == "issue_comment" || event == "pull_request_review_comment") && (e.Comment == nil || e.Comment.ID == 0) {
		missing = append(missing, "comment")
	}
	return strings.Join(missing, ", ")
}

// OrderKey returns the key under which deliveries must run one at a time and
// in order: one issue or pull request, else one installation.
func (e Envelope) OrderKey() string {
	number := e.Issue.Number
	if number == 0 {
		number = e.PullRequest.Number
	}
	if e.Repository.FullName != "" && number != 0 {
		return store.ThreadKey(e.Repository.FullName, number)
	}
	if e.Installation.ID != 0 {
		return "installation:" + strconv.FormatInt(e.Installation.ID, 10)
	}
	return ""
}

// Handler processes the deliveries of one family of events.
type Handler interface {
	// Events lists the webhook events the handler uses.
	Events() []string
	// Permissions lists the GitHub App permissions the handler needs, by
	// name and access level ("read" or "write").
	Permissions() map[string]string
	// Wants reports whether a delivery needs processing at all, from its
	// envelope alone, so that unused actions are answered without storing.
	Wants(event string, env Envelope) bool
	// Handle processes one stored delivery. It must be safe to run again
	// after a crash or a retry.
	Handle(ctx context.Context, d store.Delivery) error
}

// A Trimmer is a Handler that reads only part of its deliveries' payloads.
// Intake stores what Trim returns instead of the whole payload; it must be
// valid JSON that decodes, for the handler and for ParseEnvelope, as the
// whole payload does.
type Trimmer interface {
	Trim(event string, payload []byte) ([]byte, error)
}

// Registry maps events to their handlers.
type Registry struct {
	byEvent  map[string][]Handler
	internal map[string]Handler
	all      []Handler
}

// NewRegistry registers handlers. Handlers that share an event want
// disjoint deliveries of it (issue_comment: those on issues, those on pull
// requests); each delivery goes to the first that wants it.
func NewRegistry(handlers ...Handler) *Registry {
	r := &Registry{byEvent: make(map[string][]Handler), internal: make(map[string]Handler)}
	for _, h := range handlers {
		for _, ev := range h.Events() {
			r.byEvent[ev] = append(r.byEvent[ev], h)
		}
		r.all = append(r.all, h)
	}
	return r
}

// Internal routes an event that the App enqueues for itself (never one
// GitHub sends: intake does not accept it, and the App does not subscribe
// to it) to h.
func (r *Registry) Internal(event string, h Handler) {
	if len(r.byEvent[event]) > 0 {
		panic("dispatch: internal event " + event + " is also a webhook event")
	}
	r.internal[event] = h
}

// Events returns every event a handler uses, sorted.
func (r *Registry) Events() []string { return slices.Sorted(maps.Keys(r.byEvent)) }

// Permissions returns the union of the handlers' permissions, keeping the
// stronger access where two handlers ask for one permission.
func (r *Registry) Permissions() map[string]string {
	out := map[string]string{}
	for _, h := range r.all {
		for name, access := range h.Permissions() {
			if out[name] != "write" {
				out[name] = access
			}
		}
	}
	return out
}

// Wants reports whether a delivery of event needs processing.
func (r *Registry) Wants(event string, env Envelope) bool {
	_, ok := r.handler(event, env)
	return ok
}

// Trim returns what intake stores of a delivery's payload: the part its
// handler reads, if the handler is a Trimmer, else the whole payload.
func (r *Registry) Trim(event string, env Envelope, payload []byte) ([]byte, error) {
	if h, _ := r.handler(event, env); h != nil {
		if t, ok := h.(Trimmer); ok {
			return t.Trim(event, payload)
		}
	}
	return payload, nil
}

func (r *Registry) handler(event string, env Envelope) (Handler, bool) {
	for _, h := range r.byEvent[event] {
		if h.Wants(event, env) {
			return h, true
		}
	}
	return nil, false
}

// Handle routes a delivery to its handler.
func (r *Registry) Handle(ctx context.Context, d store.Delivery) error {
	h, ok := r.internal[d.Event]
	switch hs := r.byEvent[d.Event]; {
	case len(hs) == 1:
		h, ok = hs[0], true
	case len(hs) > 1:
		env, err := ParseEnvelope(d.Payload)
		if err != nil {
			return Permanent(err)
		}
		h, ok = r.handler(d.Event, env)
	}
	if !ok {
		return nil // stored by an older version that used this event: nothing to do now
	}
	return h.Handle(ctx, d)
}
