package threads

import (
	"encoding/json"
	"fmt"

	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/internal/jsonscan"
)

// DecodeEvent decodes a stored delivery of an issue or pull request event
// into go-github's type for it, as github.ParseWebHook does, but reads only
// what the handlers use: the action, the issue, the pull request (without
// its head and base), comment, review, review thread, label and changes,
// and of the repository its full name. The sender, organization,
// installation and the rest of the repository are left out: they are most
// of a payload (the repository alone is about half of an issues delivery),
// and decoding them was a quarter of the CPU the App spent on each
// delivery. Other events decode whole.
func DecodeEvent(event string, payload []byte) (any, error) {
	switch event {
	case "issues":
		ev := &github.IssuesEvent{}
		return ev, decodeMembers(payload, &ev.Repo, map[string]any{
			"action": &ev.Action, "issue": &ev.Issue, "label": &ev.Label, "changes": &ev.Changes,
		})
	case "issue_comment":
		ev := &github.IssueCommentEvent{}
		return ev, decodeMembers(payload, &ev.Repo, map[string]any{
			"action": &ev.Action, "issue": &ev.Issue, "comment": &ev.Comment, "changes": &ev.Changes,
		})
	case "pull_request":
		ev := &github.PullRequestEvent{}
		return ev, decodeMembers(payload, &ev.Repo, map[string]any{
			"action": &ev.Action, "number": &ev.Number, "pull_request": pullRequestOnly{&ev.PullRequest}, "label": &ev.Label, "changes": &ev.Changes,
		})
	case "pull_request_review":
		ev := &github.PullRequestReviewEvent{}
		return ev, decodeMembers(payload, &ev.Repo, map[string]any{
			"action": &ev.Action, "review": &ev.Review, "pull_request": pullRequestOnly{&ev.PullRequest},
		})
	case "pull_request_review_comment":
		ev := &github.PullRequestReviewCommentEvent{}
		return ev, decodeMembers(payload, &ev.Repo, map[string]any{
			"action": &ev.Action, "comment": &ev.Comment, "pull_request": pullRequestOnly{&ev.PullRequest}, "changes": &ev.Changes,
		})
	case "pull_request_review_thread":
		ev := &github.PullRequestReviewThreadEvent{}
		return ev, decodeMembers(payload, &ev.Repo, map[string]any{
			"action": &ev.Action, "thread": &ev.Thread, "pull_request": pullRequestOnly{&ev.PullRequest},
		})
	}
	return github.ParseWebHook(event, payload)
}

// pullRequestOnly decodes a pull request without its head and base: each
// holds a whole repository (two thirds of the pull request's text), and no
// handler reads them.
type pullRequestOnly struct{ dst **github.PullRequest }

// decodeMembers decodes each named member of payload into its field, and
// of the repository only the full name into repo.
func decodeMembers(payload []byte, repo **github.Repository, fields map[string]any) error {
	names := []string{"repository"}
	for name := range fields {
		names = append(names, name)
	}
	raw, err := jsonscan.Members(payload, names...)
	if err != nil {
		return err
	}
	for i, name := range names[1:] {
		text, field := raw[i+1], fields[name]
		if text == nil {
			continue
		}
		if pr, ok := field.(pullRequestOnly); ok {
			if text, err = jsonscan.Without(text, "head", "base"); err != nil {
				return fmt.Errorf("decoding the payload's %s: %w", name, err)
			}
			field = pr.dst
		}
		if err := json.Unmarshal(text, field); err != nil {
			return fmt.Errorf("decoding the payload's %s: %w", name, err)
		}
	}
	if raw[0] == nil || string(raw[0]) == "null" {
		return nil
	}
	name, err := jsonscan.Members(raw[0], "full_name")
	if err != nil {
		return err
	}
	*repo = &github.Repository{}
	if name[0] != nil {
		if err := json.Unmarshal(name[0], &(*repo).FullName); err != nil {
			return fmt.Errorf("decoding the payload's repository: %w", err)
		}
	}
	return nil
}
