// Package webhook receives GitHub's webhook deliveries: it checks each one's
// signature and headers, answers at once, and stores the deliveries the app
// uses in the durable queue. It never calls GitHub; workers do, later.
package webhook

import (
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

// MaxUnsignedBodies bounds the request bodies being read at once, before
// their signatures are checked, however few bytes each has sent: with
// MaxConnsPerClient it takes many client addresses to fill, and past it
// intake answers 503 at once rather than hold another connection.
const MaxUnsignedBodies = 1024

// StoreTimeout bounds storing one delivery.
const StoreTimeout = time.Second

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
	// Stored is called with a delivery's order key after it is stored, to
	// wake the workers.
	Stored func(orderKey string)
	Now    func() time.Time
	// MaxUnsignedBodies overrides the package's MaxUnsignedBodies when set.
	MaxUnsignedBodies int

	buffered atomic.Int64 // bytes held by bodies being read or handled
	unsigned atomic.Int64 // bodies being read or checked
	active   atomic.Int64 // requests being handled
	lastDone atomic.Int64 // when the last request was answered, unix nanoseconds
}

// busyAfter is how long intake counts as busy after its last answer: the
// gap between two webhooks of a burst.
const busyAfter = 20 * time.Millisecond

// Busy reports whether webhooks are arriving: one is being handled now or
// was answered moments ago. The workers then leave intake a core (see
// package slots).
func (in *Intake) Busy() bool {
	return in.active.Load() > 0 || time.Now().UnixNano()-in.lastDone.Load() < int64(busyAfter)
}

// ServeHTTP implements http.Handler.
func (in *Intake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	in.active.Add(1)
	defer func() {
		in.lastDone.Store(time.Now().UnixNano())
		in.active.Add(-1)
	}()
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
	// A body's read deadline follows its declared size, so a sender that
	// declares much and sends little is cut off rather than kept waiting.
	http.NewResponseController(w).SetReadDeadline(time.Now().Add(BodyDeadline(r.ContentLength)))
	if !in.admitUnsigned() {
		in.answer(w, "", "rejected", http.StatusServiceUnavailable, "too many deliveries being received at once; redeliver later")
		return
	}
	unsigned := true
	defer func() {
		if unsigned {
			in.unsigned.Add(-1)
		}
	}()
	body, err := in.readBody(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		switch {
		case errors.As(err, &tooBig):
			in.answer(w, "", "rejected", http.StatusRequestEntityTooLarge, "payload over 25 MiB")
		case errors.Is(err, errBudget):
			in.answer(w, "", "rejected", http.StatusServiceUnavailable, "too many large deliveries at once; redeliver later")
		default:
			in.answer(w, "", "rejected", http.StatusBadRequest, "could not read the body")
		}
		return
	}
	defer in.buffered.Add(-int64(cap(body)))
	if !ValidSignature(in.Secret, body, sig) {
		in.answer(w, "", "rejected", http.StatusUnauthorized, "signature does not match")
		return
	}
	in.unsigned.Add(-1)
	unsigned = false
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
	if missing := env.Missing(event); missing != "" {
		in.answer(w, event, "rejected", http.StatusBadRequest, "the payload lacks what the event needs: "+missing)
		return
	}
	// Only what the handler reads is stored. The envelope was read, so the
	// payload is valid JSON and trimming it cannot fail; if it did, the
	// whole payload would serve as well.
	payload, err := in.Registry.Trim(event, env, body)
	if err != nil {
		payload = body
	}
	// A hung database must not hold GitHub's connection (it waits 10 s) or
	// pile up requests: past StoreTimeout the delivery is refused, and
	// GitHub shows it as failed, to be redelivered.
	ctx, cancel := context.WithTimeout(r.Context(), StoreTimeout)
	defer cancel()
	orderKey := env.OrderKey()
	inserted, err := in.Queue.Enqueue(ctx, store.Delivery{
		ID:             delivery,
		Event:          event,
		Action:         env.Action,
		InstallationID: env.Installation.ID,
		OrderKey:       orderKey,
		Payload:        payload,
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
		in.Stored(orderKey)
	}
	in.answer(w, event, "accepted", http.StatusAccepted, "stored")
}

// admitUnsigned takes one of the slots for bodies not yet checked, if one
// is free.
func (in *Intake) admitUnsigned() bool {
	limit := int64(in.MaxUnsignedBodies)
	if limit <= 0 {
		limit = MaxUnsignedBodies
	}
	if in.unsigned.Add(1) > limit {
		in.unsigned.Add(-1)
		return false
	}
	return true
}

// MinBodyRate is the slowest upload intake waits for, past a grace period.
const MinBodyRate = 1 << 20 // bytes per second

const bodyGrace = 5 * time.Second

// BodyDeadline is how long a body of the declared size may take to arrive.
func BodyDeadline(contentLength int64) time.Duration {
	if contentLength < 0 || contentLength > MaxBodyBytes {
		contentLength = MaxBodyBytes
	}
	return bodyGrace + time.Duration(contentLength)*time.Second/MinBodyRate
}

var errBudget = errors.New("intake memory budget spent")

// readBody reads at most MaxBodyBytes. Memory is reserved from the shared
// budget only as bytes arrive, never from the declared Content-Length, so
// connections that declare much and send nothing hold almost nothing. The
// caller releases cap(body) from the budget when done with it.
func (in *Intake) readBody(r io.Reader) ([]byte, error) {
	var buf []byte
	reserved := 0
	grow := func() error {
		next := min(max(2*cap(buf), 4<<10), MaxBodyBytes+1)
		if in.buffered.Add(int64(next-reserved)) > MaxBufferedBytes {
			in.buffered.Add(-int64(next - reserved))
			return errBudget
		}
		grown := make([]byte, len(buf), next)
		copy(grown, buf)
		buf, reserved = grown, next
		return nil
	}
	fail := func(err error) ([]byte, error) {
		in.buffered.Add(-int64(reserved))
		return nil, err
	}
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxBodyBytes {
				return fail(&http.MaxBytesError{Limit: MaxBodyBytes})
			}
			if err := grow(); err != nil {
				return fail(err)
			}
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if len(buf) > MaxBodyBytes {
			return fail(&http.MaxBytesError{Limit: MaxBodyBytes})
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return fail(err)
		}
	}
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
