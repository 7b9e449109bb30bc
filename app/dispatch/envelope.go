package dispatch

import (
	"fmt"

	"github.com/ownershipbot/ownershipbot/app/internal/jsonscan"
)

// Envelope is the part of a webhook payload that intake reads to decide
// whether and in which order to process it. Handlers decode the rest.
type Envelope struct {
	Action       string `json:"action"`
	Installation struct {
		ID int64 `json:"id"`
	} `json:"installation"`
	Repository struct {
		FullName      string `json:"full_name"`
		DefaultBranch string `json:"default_branch"`
	} `json:"repository"`
	Issue struct {
		Number int `json:"number"`
		// PullRequest is set when the issue is a pull request's conversation.
		PullRequest *struct{} `json:"pull_request"`
	} `json:"issue"`
	PullRequest struct {
		Number int `json:"number"`
	} `json:"pull_request"`
	Comment *struct {
		ID int64 `json:"id"`
	} `json:"comment"`
	// Push events.
	Ref     string   `json:"ref"`
	Commits []Commit `json:"commits"`
}

// Commit is the part of a push event's commit that intake reads.
type Commit struct {
	Added    []string `json:"added"`
	Modified []string `json:"modified"`
	Removed  []string `json:"removed"`
}

// ParseEnvelope decodes the envelope of a payload. It fails, as
// json.Unmarshal into an Envelope would, on malformed JSON and on an
// envelope field of the wrong type, and otherwise returns what
// json.Unmarshal would (FuzzParseEnvelope holds it to that).
//
// It reads the payload once, with jsonscan. GitHub's payloads are 8 to 25
// KB, nearly all of it users, repositories and URLs the envelope does not
// need; json.Unmarshal read them twice, to check and then to decode, which
// for an issues delivery was a sixth of the CPU an acknowledgement cost.
func ParseEnvelope(payload []byte) (Envelope, error) {
	var env Envelope
	if err := jsonscan.Document(payload, func(p *jsonscan.Reader) error { return p.Object(env.field) }); err != nil {
		return env, fmt.Errorf("reading the payload's envelope: %w", err)
	}
	return env, nil
}

// field decodes the value of one of the envelope's keys, reporting whether
// key is one.
func (env *Envelope) field(p *jsonscan.Reader, key jsonscan.Key) (bool, error) {
	switch {
	case key.Is("action"):
		return true, p.String(&env.Action)
	case key.Is("installation"):
		return true, p.Object(only("id", func(p *jsonscan.Reader) error { return p.Int64(&env.Installation.ID) }))
	case key.Is("repository"):
		return true, p.Object(func(p *jsonscan.Reader, key jsonscan.Key) (bool, error) {
			switch {
			case key.Is("full_name"):
				return true, p.String(&env.Repository.FullName)
			case key.Is("default_branch"):
				return true, p.String(&env.Repository.DefaultBranch)
			}
			return false, nil
		})
	case key.Is("issue"):
		return true, p.Object(func(p *jsonscan.Reader, key jsonscan.Key) (bool, error) {
			switch {
			case key.Is("number"):
				return true, p.Int(&env.Issue.Number)
			case key.Is("pull_request"):
				return true, jsonscan.Pointer(p, &env.Issue.PullRequest, func(*struct{}) error {
					return p.Object(func(*jsonscan.Reader, jsonscan.Key) (bool, error) { return false, nil })
				})
			}
			return false, nil
		})
	case key.Is("pull_request"):
		return true, p.Object(only("number", func(p *jsonscan.Reader) error { return p.Int(&env.PullRequest.Number) }))
	case key.Is("comment"):
		return true, jsonscan.Pointer(p, &env.Comment, func(c *struct {
			ID int64 `json:"id"`
		}) error {
			return p.Object(only("id", func(p *jsonscan.Reader) error { return p.Int64(&c.ID) }))
		})
	case key.Is("ref"):
		return true, p.String(&env.Ref)
	case key.Is("commits"):
		return true, jsonscan.Array(p, &env.Commits, func(c *Commit) error {
			return p.Object(func(p *jsonscan.Reader, key jsonscan.Key) (bool, error) {
				var files *[]string
				switch {
				case key.Is("added"):
					files = &c.Added
				case key.Is("modified"):
					files = &c.Modified
				case key.Is("removed"):
					files = &c.Removed
				default:
					return false, nil
				}
				return true, jsonscan.Array(p, files, p.String)
			})
		})
	}
	return false, nil
}

// only reads, of an object, the member named name with read, and skips
// the others.
func only(name string, read func(*jsonscan.Reader) error) func(*jsonscan.Reader, jsonscan.Key) (bool, error) {
	return func(p *jsonscan.Reader, key jsonscan.Key) (bool, error) {
		if !key.Is(name) {
			return false, nil
		}
		return true, read(p)
	}
}
