package publish

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/google/go-github/v66/github"
)

func TestLockedConversationIsRecognised(t *testing.T) {
	resp := func(code int, msg string) error {
		return fmt.Errorf("create comment: %w", &github.ErrorResponse{Response: &http.Response{StatusCode: code}, Message: msg})
	}
	if !isLocked(resp(403, "Unable to create comment because issue is locked.")) {
		t.Error("GitHub's answer for a locked issue is not recognised")
	}
	for _, err := range []error{resp(403, "Resource not accessible by integration"), resp(502, "locked"), errors.New("locked"), nil} {
		if isLocked(err) {
			t.Errorf("%v taken for a locked issue", err)
		}
	}
}
