// Package ghgraphql reads issues and pull requests with their discussion
// from GitHub's GraphQL API, a page of 100 at a time, and says how much of
// the GraphQL rate limit each query cost and when it may be used again.
package ghgraphql

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Endpoint is the GraphQL URL beside a REST base URL: api.github.com's
// /graphql, or /api/graphql on GitHub Enterprise Server (/api/v3/).
func Endpoint(restBase string) string {
	u, err := url.Parse(restBase)
	if err != nil {
		return strings.TrimSuffix(restBase, "/") + "/graphql"
	}
	if p, ok := strings.CutSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3"); ok {
		u.Path = p + "/api/graphql"
	} else {
		u.Path = strings.TrimSuffix(u.Path, "/") + "/graphql"
	}
	return u.String()
}

// Client sends queries with an installation's authenticated HTTP client.
type Client struct {
	HTTP *http.Client
	URL  string
	Now  func() time.Time // time.Now when nil
	// MaxAnswerBytes bounds the answer read into memory
	// [DefaultMaxAnswerBytes]; a larger one is ErrAnswerTooLarge.
	MaxAnswerBytes int64
}

// DefaultMaxAnswerBytes bounds one answer: a page of 100 pull requests
// with long reviews can run to hundreds of megabytes, which a small pod
// cannot hold; the caller asks for smaller pages instead (see Heavy).
const DefaultMaxAnswerBytes = 16 << 20

// ErrAnswerTooLarge is an answer over Client.MaxAnswerBytes: nothing of it
// was kept.
var ErrAnswerTooLarge = errors.New("GitHub's GraphQL API: the answer is too large to read; ask for fewer items")

// Heavy reports whether err says a query asked for too much at once: an
// answer over the size the client reads, or GitHub giving up on it (502 or
// 504, its answer to a query that runs too long). A smaller page may pass.
func Heavy(err error) bool {
	var e *Error
	return errors.Is(err, ErrAnswerTooLarge) ||
		errors.As(err, &e) && (e.Status == http.StatusBadGateway || e.Status == http.StatusGatewayTimeout)
}

// RateLimit is what GitHub reports of the GraphQL rate limit after a query:
// the points the query cost, the points of the window (5,000 an hour for
// an App's installation on github.com; GitHub Enterprise Server sets its
// own), what is left of them, and when the window resets.
type RateLimit struct {
	Cost      int       `json:"cost"`
	Limit     int       `json:"limit"`
	Remaining int       `json:"remaining"`
	ResetAt   time.Time `json:"resetAt"`
}

// LimitedError is GitHub refusing a query for now: the primary rate limit
// is spent, or a secondary limit asks the client to slow down. Nothing was
// read; the query may be sent again at Until.
type LimitedError struct {
	Until   time.Time
	Message string
}

func (e *LimitedError) Error() string {
	return fmt.Sprintf("GitHub's GraphQL rate limit: %s; wait until %s", e.Message, e.Until.UTC().Format(time.RFC3339))
}

// Error is GitHub answering a query with errors, such as NOT_FOUND for a
// repository the installation cannot see.
type Error struct {
	Type    string
	Message string
	Status  int // the HTTP status, 200 for errors in a successful answer
}

func (e *Error) Error() string {
	if e.Type != "" {
		return fmt.Sprintf("GitHub's GraphQL API: %s (%s)", e.Message, e.Type)
	}
	return "GitHub's GraphQL API: " + e.Message
}

// NotFound reports whether err is GitHub saying the thing asked for does not
// exist or cannot be seen.
func NotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && (e.Type == "NOT_FOUND" || e.Status == http.StatusNotFound)
}

// Permanent reports whether trying the query again cannot help: GitHub
// refused it for good (a bad query, missing permission).
func Permanent(err error) bool {
	var e *Error
	if !errors.As(err, &e) {
		return false
	}
	if e.Status >= 500 || e.Status == http.StatusRequestTimeout {
		return false
	}
	return e.Type != "" || (e.Status >= 400 && e.Status < 500)
}

type response struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"errors"`
}

// Do sends query with variables and decodes its data into out. Every query
// the App sends asks for rateLimit, which out exposes through RateLimited.
func (c *Client) Do(ctx context.Context, query string, variables map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("GitHub's GraphQL API: %w", err)
	}
	defer resp.Body.Close()
	limit := c.MaxAnswerBytes
	if limit <= 0 {
		limit = DefaultMaxAnswerBytes
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("GitHub's GraphQL API: reading the answer: %w", err)
	}
	if int64(len(raw)) > limit && resp.StatusCode == http.StatusOK {
		return ErrAnswerTooLarge
	}
	if until, limited := c.limited(resp); limited {
		return &LimitedError{Until: until, Message: message(raw, resp.Status)}
	}
	if resp.StatusCode != http.StatusOK {
		return &Error{Status: resp.StatusCode, Message: message(raw, resp.Status)}
	}
	var r response
	if err := json.Unmarshal(raw, &r); err != nil {
		return &Error{Status: resp.StatusCode, Message: "the answer is not JSON"}
	}
	if len(r.Errors) > 0 {
		e := r.Errors[0]
		if e.Type == "RATE_LIMITED" {
			return &LimitedError{Until: c.reset(resp.Header), Message: e.Message}
		}
		return &Error{Type: e.Type, Message: e.Message, Status: resp.StatusCode}
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		return fmt.Errorf("GitHub's GraphQL API: decoding the answer: %w", err)
	}
	return nil
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// limited reads a refusal for rate: a secondary limit (403 or 429 with
// Retry-After) or a spent primary limit in the headers.
func (c *Client) limited(resp *http.Response) (time.Time, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return time.Time{}, false
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			return c.now().Add(time.Duration(secs) * time.Second), true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		return c.reset(resp.Header), true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return c.now().Add(time.Minute), true
	}
	return time.Time{}, false
}

// reset is when the rate-limit window ends, from X-RateLimit-Reset, or a
// minute from now when GitHub does not say.
func (c *Client) reset(h http.Header) time.Time {
	if secs, err := strconv.ParseInt(h.Get("X-RateLimit-Reset"), 10, 64); err == nil {
		if at := time.Unix(secs, 0); at.After(c.now()) {
			return at
		}
		return c.now().Add(time.Second)
	}
	return c.now().Add(time.Minute)
}

func message(raw []byte, status string) string {
	var m struct {
		Message string `json:"message"`
	}
	if json.Unmarshal(raw, &m) == nil && m.Message != "" {
		return m.Message
	}
	return status
}
