package ghgraphql

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// An answer larger than the client holds is refused as such, so the caller
// asks for a smaller page, rather than read as broken JSON and retried
// forever in the same size.
func TestAnAnswerTooLargeToHoldSaysSo(t *testing.T) {
	big := `{"data":{"rateLimit":{"cost":1,"remaining":4999,"resetAt":"2030-01-01T00:00:00Z"},"x":"` + strings.Repeat("a", 4096) + `"}}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, big) }))
	defer srv.Close()
	var out struct{ X string }
	c := &Client{HTTP: srv.Client(), URL: srv.URL, MaxAnswerBytes: 1024}
	err := c.Do(context.Background(), "query { x }", nil, &out)
	if !errors.Is(err, ErrAnswerTooLarge) || !Heavy(err) {
		t.Fatalf("a 4 KB answer with a 1 KB limit: %v, want ErrAnswerTooLarge", err)
	}
	c.MaxAnswerBytes = int64(len(big))
	if err := c.Do(context.Background(), "query { x }", nil, &out); err != nil || len(out.X) != 4096 {
		t.Fatalf("an answer of exactly the limit: %v", err)
	}
	if !Heavy(&Error{Status: http.StatusBadGateway}) || Heavy(&Error{Status: http.StatusNotFound}) {
		t.Error("Heavy should mean GitHub's timeouts (502, 504) and nothing else")
	}
}
