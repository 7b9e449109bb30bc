package ghclient

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/bradleyfalzon/ghinstallation/v2"
	"github.com/google/go-github/v66/github"

	"github.com/ownershipbot/ownershipbot/app/slots"
)

// retryTransport retries requests that failed for a passing reason (a 5xx,
// a network error, a secondary rate limit with a short Retry-After) a few
// times with exponential backoff and full jitter. Longer waits are left to the
// delivery queue: the response goes back to the caller, which reschedules.
type retryTransport struct {
	next     http.RoundTripper
	attempts int           // total tries per request, at least 1
	base     time.Duration // first backoff
	maxWait  time.Duration // longest wait honoured in-process
	sleep    func(ctx context.Context, d time.Duration) error

	mu        sync.Mutex
	notBefore time.Time // GitHub asked for nothing to be sent before this
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A worker waiting for GitHub, or for a backoff, leaves its CPU slot to others.
	defer slots.Away(req.Context())()
	for attempt := 1; ; attempt++ {
		if wait := t.blocked(); wait > 0 {
			return waitResponse(req, wait), nil
		}
		resp, err := t.next.RoundTrip(req)
		wait, retry := t.shouldRetry(req, resp, err, attempt)
		if !retry || attempt >= t.attempts || (req.Body != nil && req.GetBody == nil) {
			return resp, err
		}
		if resp != nil {
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		}
		if err := t.sleep(req.Context(), wait); err != nil {
			return nil, err
		}
		if req.GetBody != nil {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
	}
}

// shouldRetry decides whether to try again and after how long. A POST
// that failed with a network error or a 5xx may still have been carried out
// (GitHub can create a comment and answer 502), so it is not repeated here:
// the delivery's retry looks for what the first try created. Rate-limit
// refusals are safe to repeat for every method: GitHub did nothing.
func (t *retryTransport) shouldRetry(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := t.backoff(attempt)
	idempotent := req.Method != http.MethodPost
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) || RevokedApp(err) {
			return 0, false
		}
		return backoff, idempotent
	}
	switch {
	case resp.StatusCode >= 500:
		return backoff, idempotent
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden:
		wait, limited := rateLimitWait(resp.Header, time.Now())
		if !limited {
			return 0, false
		}
		if wait > t.maxWait {
			t.block(wait)
			return 0, false
		}
		return max(wait, backoff), true
	}
	return 0, false
}

// block holds back every request of this client for wait: GitHub counts
// requests sent during a rate limit against the App.
func (t *retryTransport) block(wait time.Duration) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.notBefore = later(t.notBefore, time.Now().Add(wait))
}

func (t *retryTransport) blocked() time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	return time.Until(t.notBefore)
}

func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// waitResponse answers a request held back by a rate limit without sending
// it, as GitHub would have: a 429 with the time still to wait.
func waitResponse(req *http.Request, wait time.Duration) *http.Response {
	secs := int((wait + time.Second - 1) / time.Second)
	return &http.Response{
		Status:     "429 Too Many Requests",
		StatusCode: http.StatusTooManyRequests,
		Proto:      "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{
			"Content-Type": {"application/json"},
			"Retry-After":  {strconv.Itoa(secs)},
		},
		Body:    io.NopCloser(strings.NewReader(`{"message":"not sent: waiting out GitHub's Retry-After"}`)),
		Request: req,
	}
}

func (t *retryTransport) backoff(attempt int) time.Duration {
	d := t.base << (attempt - 1)
	return d/2 + rand.N(d/2+1) // half fixed, half jitter: spreads retries yet keeps a floor
}

// rateLimitWait reads how long GitHub asks the client to wait: Retry-After
// (secondary limits) or, with no requests left, until X-RateLimit-Reset.
func rateLimitWait(h http.Header, now time.Time) (time.Duration, bool) {
	if ra := h.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			return time.Duration(secs) * time.Second, true
		}
	}
	if h.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Until(time.Unix(reset, 0)), time.Second), true
		}
	}
	return 0, false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-timer.C:
		return nil
	}
}

// RetryAt reports when a failed GitHub call may be tried again, for errors
// that carry GitHub's own answer: rate limits give a time; other errors give
// the zero time.
func RetryAt(err error, now time.Time) time.Time {
	var rl *github.RateLimitError
	if errors.As(err, &rl) {
		return rl.Rate.Reset.Time
	}
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &abuse) {
		if abuse.RetryAfter != nil {
			return now.Add(*abuse.RetryAfter)
		}
		return now.Add(time.Minute)
	}
	// A 429 or 403 that go-github does not recognise as a rate limit (only
	// Retry-After, say) still carries GitHub's instructions.
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		if code := resp.Response.StatusCode; code == http.StatusTooManyRequests || code == http.StatusForbidden {
			if wait, ok := rateLimitWait(resp.Response.Header, now); ok {
				return now.Add(wait)
			}
		}
	}
	return time.Time{}
}

// IsPermanent reports whether err is GitHub refusing a request for a reason
// that trying again will not change, such as a missing permission or an
// invalid request. Server errors, rate limits and network errors are not.
func IsPermanent(err error) bool {
	var rl *github.RateLimitError
	var abuse *github.AbuseRateLimitError
	if errors.As(err, &rl) || errors.As(err, &abuse) {
		return false
	}
	if RevokedApp(err) {
		return true
	}
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		code := resp.Response.StatusCode
		if code == http.StatusForbidden {
			if _, limited := rateLimitWait(resp.Response.Header, time.Now()); limited {
				return false
			}
		}
		return code >= 400 && code < 500 && code != http.StatusTooManyRequests && code != http.StatusRequestTimeout
	}
	return false
}

// IsNotFound reports whether err is GitHub's 404, for example for a comment
// that a person deleted.
func IsNotFound(err error) bool {
	var resp *github.ErrorResponse
	return errors.As(err, &resp) && resp.Response != nil && resp.Response.StatusCode == http.StatusNotFound
}

// RevokedApp reports whether err is GitHub refusing the App's own JWT when
// exchanging it for an installation token: the App was deleted, its key
// revoked or the wrong key configured. Nothing will work until an operator
// acts, so deliveries fail at once.
func RevokedApp(err error) bool {
	var he *ghinstallation.HTTPError
	return errors.As(err, &he) && he.Response != nil && he.Response.StatusCode == http.StatusUnauthorized
}
