package webhook_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/ownershipbot/ownershipbot/app/webhook"
)

// FuzzIntake sends any headers and body, signed or not: intake must answer
// with a status it documents and never store what it refused.
func FuzzIntake(f *testing.F) {
	f.Add("issues", "d-1", []byte(issueOpened), true)
	f.Add("issue_comment", "d-2", []byte(`{"action":"created","issue":{"number":1},"repository":{"full_name":"a/b"},"installation":{"id":1},"comment":{"id":5}}`), true)
	f.Add("installation", "d-3", []byte(`{"action":"created","installation":{"id":1}}`), true)
	f.Add("ping", "d-4", []byte(`{}`), true)
	f.Add("issues", "d-5", []byte(`{"action":"opened","issue":{"number":"x"}}`), true)
	f.Add("", "", []byte("not json"), false)
	f.Add("issues\x00", "d-6", []byte(`[1,2,3]`), true)
	in, st, _ := newIntake(f)
	f.Fuzz(func(t *testing.T, event, delivery string, body []byte, signed bool) {
		sig := "sha256=00"
		if signed {
			sig = webhook.Sign(secret, body)
		}
		req := httptest.NewRequest(http.MethodPost, "/webhook", bytes.NewReader(body))
		for k, v := range map[string]string{"X-GitHub-Event": event, "X-GitHub-Delivery": delivery, "X-Hub-Signature-256": sig} {
			req.Header[k] = []string{v}
		}
		before, _ := st.Depth(t.Context())
		rec := httptest.NewRecorder()
		in.ServeHTTP(rec, req)
		after, _ := st.Depth(t.Context())
		switch rec.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusUnauthorized, http.StatusRequestEntityTooLarge, http.StatusServiceUnavailable:
			if after != before {
				t.Fatalf("answered %d yet stored the delivery", rec.Code)
			}
		case http.StatusAccepted:
			if !signed {
				t.Fatal("an unsigned delivery was accepted")
			}
		default:
			t.Fatalf("unexpected status %d", rec.Code)
		}
	})
}
