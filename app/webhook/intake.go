// Package webhook receives GitHub's webhook deliveries: it checks each one's
// signature and headers, answers at once, and stores the deliveries the app
// uses in the durable queue. It never calls GitHub; workers do, later.
package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/ownershipbot/ownershipbot/app/dispatch"
	"github.com/ownershipbot/ownershipbot/app/metrics"
	"github.com/ownershipbot/ownershipbot/app/store"
)

// MaxBodyBytes is GitHub's own cap on a webhook payload (25 MiB).
const MaxBodyBytes = 25 << 20

// MaxBufferedBytes bounds the request bodies read at once, before their
// signatures are checked, so a burst of large forged requests cannot
// exhaust memory. Past it, intake answers 503 and GitHub shows the
// delivery as failed, to be redelivered.
const MaxBufferedBytes = 96 << 20

// Queue is where intake stores a delivery before answering GitHub.
type Queue interface {
	Enqueue(ctx context.Context, d store.Delivery) (inserted bool, err error)
}

// Intake is the POST /webhook handler.
type Intake struct {
	Secret   []byte
	Queue    Queue
	Registry *dispatch.Registry
	Metrics  *metrics.Metrics
	Log      *slog.Logger
	// Stored is called after a delivery is stored, to wake the workers.
	Stored func()
	Now    func() time.Time

	buffered atomic.Int64 // bytes reserved by bodies being read
}

// ServeHTTP implements http.Handler.
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// Until the signature is checked, the event header is not trusted even
	// as a metric label.
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		in.answer(w, "", "rejected", http.StatusMethodNotAllowed, "webhooks are POSTed")
		return
	}
	// The signature is checked before anything else in the request is trusted.
	sig := r.Header.Get("X-Hub-Signature-256")
	if sig == "" {
		in.answer(w, "", "rejected", http.StatusUnauthorized, "missing X-Hub-Signature-256")
		return
	}
	if r.ContentLength > MaxBodyBytes {
		in.answer(w, "", "rejected", http.StatusRequestEntityTooLarge, "payload over 25 MiB")
		return
	}
	reserve := int64(MaxBodyBytes) // GitHub always sends Content-Length; without it, assume the worst
	if r.ContentLength >= 0 {
		reserve = r.ContentLength
	}
	if in.buffered.Add(reserve) > MaxBufferedBytes {
		in.buffered.Add(-reserve)
		in.answer(w, "", "rejected", http.StatusServiceUnavailable, "too many large deliveries at once; redeliver later")
		return
	}
	body, err := readBody(w, r, reserve)
	in.buffered.Add(-reserve)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			in.answer(w, "", "rejected", http.StatusRequestEntityTooLarge, "payload over 25 MiB")
			return
		}
		in.answer(w, "", "rejected", http.StatusBadRequest, "could not read the body")
		return
	}
	if !ValidSignature(in.Secret, body, sig) {
		in.answer(w, "", "rejected", http.StatusUnauthorized, "signature does not match")
		return
	}
	event := r.Header.Get("X-GitHub-Event")
	delivery := r.Header.Get("X-GitHub-Delivery")
	if event == "" || delivery == "" {
		in.answer(w, event, "rejected", http.StatusBadRequest, "missing X-GitHub-Event or X-GitHub-Delivery")
		return
	}
	env, err := dispatch.ParseEnvelope(body)
	if err != nil {
		in.answer(w, event, "rejected", http.StatusBadRequest, "the body is not valid JSON")
		return
	}
	if event == "ping" {
		in.answer(w, event, "accepted", http.StatusOK, "pong")
		return
	}
	if !in.Registry.Wants(event, env) {
		in.answer(w, event, "ignored", http.StatusOK, "event not used")
		return
	}
	inserted, err := in.Queue.Enqueue(r.Context(), store.Delivery{
		ID:             delivery,
		Event:          event,
		Action:         env.Action,
		InstallationID: env.Installation.ID,
		OrderKey:       env.OrderKey(),
		Payload:        body,
		ReceivedAt:     in.Now().UTC(),
	})
	if err != nil {
		// Not stored, so not promised: GitHub shows the failure and the
		// delivery can be redelivered.
		in.Log.Error("webhook: could not store delivery", "delivery", delivery, "event", event, "err", err)
		in.answer(w, event, "rejected", http.StatusServiceUnavailable, "could not store the delivery")
		return
	}
	if !inserted {
		in.answer(w, event, "duplicate", http.StatusOK, "delivery already received")
		return
	}
	in.Metrics.LastDelivery.Set(float64(in.Now().Unix()))
	if in.Stored != nil {
		in.Stored()
	}
	in.answer(w, event, "accepted", http.StatusAccepted, "stored")
}

// readBody reads at most MaxBodyBytes, into a buffer sized from
// Content-Length rather than grown by doubling.
func readBody(w http.ResponseWriter, r *http.Request, size int64) ([]byte, error) {
	buf := bytes.NewBuffer(make([]byte, 0, min(size, MaxBodyBytes)+1))
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	return buf.Bytes(), err
}

func (in *Intake) answer(w http.ResponseWriter, event, outcome string, status int, msg string) {
	in.Metrics.WebhookDeliveries.WithLabelValues(eventLabel(event), outcome).Inc()
	if status >= 400 {
		in.Log.Warn("webhook refused", "event", eventLabel(event), "status", status, "reason", msg)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	io.WriteString(w, msg+"\n")
}

// eventLabel keeps the metric's event label to GitHub's event names, so a
// forged header cannot create unbounded series.
func eventLabel(event string) string {
	if event == "" || len(event) > 40 || strings.Trim(event, "abcdefghijklmnopqrstuvwxyz_") != "" {
		return "unknown"
	}
	return event
}

// ValidSignature checks GitHub's X-Hub-Signature-256 header ("sha256=" and
// the hex HMAC-SHA256 of the body) in constant time.
func ValidSignature(secret, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hmac.Equal(got, mac.Sum(nil))
}

// Sign returns the X-Hub-Signature-256 header GitHub would send for body.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}
