package githubsim

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// FaultKind is a failure GitHub is known to answer with.
type FaultKind int

const (
	// BadGateway is a 502 with the HTML page GitHub's front end sends.
	BadGateway FaultKind = iota + 1
	// ServerError is a 500 with GitHub's JSON "Server Error".
	ServerError
	// SecondaryRateLimit is a 403 with Retry-After and the "You have
	// exceeded a secondary rate limit" message.
	SecondaryRateLimit
	// RateLimitExhausted is a 403 with X-RateLimit-Remaining: 0 and
	// X-RateLimit-Reset Options.RetryAfter from now.
	RateLimitExhausted
	// TooManyRequests is the 429 form of RateLimitExhausted.
	TooManyRequests
	// RetryAfterOnly is a 429 whose only guidance is Retry-After
	// (Options.RetryAfter), with no X-RateLimit headers, as GitHub sends
	// from some of its front ends.
	RetryAfterOnly
)

func (k FaultKind) String() string {
	switch k {
	case BadGateway:
		return "502 Bad Gateway"
	case ServerError:
		return "500 Server Error"
	case SecondaryRateLimit:
		return "secondary rate limit"
	case RateLimitExhausted:
		return "primary rate limit exhausted (403)"
	case TooManyRequests:
		return "primary rate limit exhausted (429)"
	case RetryAfterOnly:
		return "429 with only Retry-After"
	}
	return fmt.Sprintf("FaultKind(%d)", int(k))
}

type fault struct {
	method, route string
	times         int
	kind          FaultKind
}

// InjectFault makes the next times requests matching method and route (the
// OpenAPI template, e.g. "/repos/{owner}/{repo}/issues/{issue_number}/comments")
// fail with kind. An empty method or route matches any. Faults apply after
// authentication, in the order injected.
func (s *Sim) InjectFault(method, route string, times int, kind FaultKind) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &fault{method: method, route: route, times: times, kind: kind})
}

// PendingFaults is the number of injected failures not yet served.
func (s *Sim) PendingFaults() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, f := range s.faults {
		n += f.times
	}
	return n
}

// SetLatency delays every answer on method and route by d (an empty method
// and route: every answer), for tests of timeouts and concurrency.
func (s *Sim) SetLatency(method, route string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.latency[method+" "+route] = d
}

// SetRepoLatency delays every answer about one repository ("owner/name":
// its issues, comments, contents, ...) by d, on top of SetLatency, as a
// repository that GitHub serves slowly.
func (s *Sim) SetRepoLatency(repo string, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.repoLatency[strings.ToLower(repo)] = d
}

const badGatewayHTML = `<html><body><h1>502 Bad Gateway</h1>
The server returned an invalid or incomplete response.
</body></html>
`

// SetOutage makes every API request answer 502 Bad Gateway while on, as
// GitHub does during an outage, until it is turned off.
func (s *Sim) SetOutage(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.outage = on
}

// applyFault serves a pending fault for the request, if any; s.mu held.
func (s *Sim) applyFault(c *reqCtx, def *routeDef, rateKey string, limit int) bool {
	if s.outage {
		c.w.Header().Set("Content-Type", "text/html")
		c.w.WriteHeader(http.StatusBadGateway)
		_, _ = c.w.Write([]byte(badGatewayHTML))
		return true
	}
	var f *fault
	for i, x := range s.faults {
		if (x.method == "" || x.method == def.Method) && (x.route == "" || x.route == def.Path) {
			f = x
			x.times--
			if x.times <= 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
			break
		}
	}
	if f == nil {
		return false
	}
	wait := int((s.opts.RetryAfter + time.Second - 1) / time.Second)
	h := c.w.Header()
	switch f.kind {
	case BadGateway:
		h.Set("Content-Type", "text/html")
		c.w.WriteHeader(http.StatusBadGateway)
		_, _ = c.w.Write([]byte(badGatewayHTML))
	case ServerError:
		s.writeJSON(c, http.StatusInternalServerError, obj{"message": "Server Error"})
	case SecondaryRateLimit:
		s.rateHeaders(c, rateKey, limit, true)
		h.Set("Retry-After", strconv.Itoa(wait))
		s.writeJSON(c, http.StatusForbidden, obj{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID " + h.Get("X-GitHub-Request-Id") + ".",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
			"status":            "403",
		})
	case RateLimitExhausted, TooManyRequests:
		s.rateHeaders(c, rateKey, limit, false)
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Used", strconv.Itoa(limit))
		h.Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Duration(wait)*time.Second).Unix(), 10))
		status := http.StatusForbidden
		if f.kind == TooManyRequests {
			status = http.StatusTooManyRequests
		}
		s.writeJSON(c, status, obj{"message": s.rateMessage(c),
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api", "status": strconv.Itoa(status)})
	case RetryAfterOnly:
		h.Set("Retry-After", strconv.Itoa(wait))
		s.writeJSON(c, http.StatusTooManyRequests, obj{"message": "Too Many Requests", "status": "429"})
	default:
		return false
	}
	return true
}

// RevokeTokens invalidates every installation token issued so far, as a
// rotation or revocation does: requests with them get 401 "Bad credentials"
// and the App must exchange its JWT for a fresh one.
func (s *Sim) RevokeTokens() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.tokens)
}
