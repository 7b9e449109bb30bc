package ghclient

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/google/go-github/v66/github"
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
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	for attempt := 1; ; attempt++ {
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
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return 0, false
		}
		return backoff, idempotent
	}
	switch {
	case resp.StatusCode >= 500:
		return backoff, idempotent
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusForbidden:
		wait, limited := rateLimitWait(resp.Header, time.Now())
		if !limited || wait > t.maxWait {
			return 0, false
		}
		return max(wait, backoff), true
	}
	return 0, false
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
	var resp *github.ErrorResponse
	if errors.As(err, &resp) && resp.Response != nil {
		code := resp.Response.StatusCode
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
