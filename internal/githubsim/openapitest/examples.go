package openapitest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/ownershipbot/ownershipbot/internal/needs"
)

// Event holds the webhook examples GitHub documents for one event, each as
// written in npm @octokit/webhooks-examples (pretty-printed).
type Event struct {
	Name     string            `json:"name"`
	Examples []json.RawMessage `json:"examples"`
}

// Examples returns every webhook example of @octokit/webhooks-examples,
// for tests of code that reads whole payloads. The package is read from
// testdata/npm (cd testdata/npm && npm ci; .ci/run does it); without it the
// test is skipped, or fails under CI=true.
func Examples(tb testing.TB) []Event {
	tb.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "..")
	path := needs.File(tb, filepath.Join(root, "testdata/npm/node_modules/@octokit/webhooks-examples/api.github.com/index.json"),
		"cd testdata/npm && npm ci")
	raw, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	var events []Event
	if err := json.Unmarshal(raw, &events); err != nil {
		tb.Fatalf("reading %s: %v", path, err)
	}
	return events
}
