package ghclient

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/ownershipbot/ownershipbot/app/metrics"
)

// instrumentedTransport counts every request that reaches GitHub, token
// requests included, by method, route template and status, and records the
// rate limit GitHub reports.
type instrumentedTransport struct {
	next     http.RoundTripper
	basePath string // path of the API base URL, such as "/api/v3" on GHES
	metrics  *metrics.Metrics
}

func (t *instrumentedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	status := "error"
	if err == nil {
		status = strconv.Itoa(resp.StatusCode)
		if rem := resp.Header.Get("X-RateLimit-Remaining"); rem != "" {
			if v, perr := strconv.ParseFloat(rem, 64); perr == nil {
				resource := resp.Header.Get("X-RateLimit-Resource")
				if resource == "" {
					resource = "core"
				}
				t.metrics.RateLimitRemaining.WithLabelValues(resource).Set(v)
			}
		}
	}
	route := Route(strings.TrimPrefix(req.URL.EscapedPath(), t.basePath))
	t.metrics.GitHubRequests.WithLabelValues(req.Method, route, status).Inc()
	return resp, err
}
