package threads

import "github.com/ownershipbot/ownershipbot/app/internal/jsonscan"

// Trim implements dispatch.Trimmer for the issue and pull-request handlers:
// intake stores of their deliveries only what they read (TrimPayload).
func (b *Base) Trim(event string, payload []byte) ([]byte, error) {
	return TrimPayload(event, payload)
}

// TrimPayload returns the part of an issue or pull request event's payload
// that DecodeEvent reads and the envelope needs: it leaves out the sender,
// organization and enterprise, the repository but its full name and
// default branch, and a pull request's head and base. That is two thirds
// of an issues delivery and three quarters of a pull request's, so the
// queue writes, reads and frees that much less, and keeps less about
// people. Other events' payloads are returned whole.
func TrimPayload(event string, payload []byte) ([]byte, error) {
	switch event {
	case "issues", "issue_comment", "pull_request", "pull_request_review",
		"pull_request_review_comment", "pull_request_review_thread":
	default:
		return payload, nil
	}
	return jsonscan.Filter(payload, func(key jsonscan.Key, value []byte) ([]byte, error) {
		switch {
		case key.Is("sender"), key.Is("organization"), key.Is("enterprise"):
			return nil, nil
		case key.Is("repository"):
			return jsonscan.Filter(value, func(key jsonscan.Key, value []byte) ([]byte, error) {
				if key.Is("full_name") || key.Is("default_branch") {
					return value, nil
				}
				return nil, nil
			})
		case key.Is("pull_request"):
			return jsonscan.Without(value, "head", "base")
		}
		return value, nil
	})
}
