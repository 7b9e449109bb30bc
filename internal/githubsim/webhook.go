package githubsim

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Delivery is one webhook delivery, as GitHub's "Recent Deliveries" shows it.
type Delivery struct {
	// ID is the X-GitHub-Delivery GUID; a redelivery keeps it.
	ID             string
	Event          string // X-GitHub-Event
	Action         string // the payload's "action", if any
	InstallationID int64
	Body           []byte
	// Status is the HTTP status the App answered, 0 when it could not be
	// reached (then Err says why).
	Status     int
	Err        string
	Redelivery bool
	At         time.Time
	// AppID is the App the delivery went to.
	AppID int64
	// Number is the attempt's id in the App's delivery log
	// (GET /app/hook/deliveries); a redelivery gets its own.
	Number int64
}

// SetWebhook sets the App's webhook URL and secret. With no URL (the
// default) actions change the world but send nothing.
func (s *Sim) SetWebhook(url, secret string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.app.hookURL, s.app.hookSecret = url, secret
}

// Deliveries returns every delivery attempt so far, oldest first.
func (s *Sim) Deliveries() []Delivery {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Delivery(nil), s.deliveries...)
}

// Redeliver sends delivery id again with the same GUID and body, as the
// "Redeliver" button does, and logs it as a redelivery.
func (s *Sim) Redeliver(id string) (Delivery, error) {
	s.mu.Lock()
	var orig *Delivery
	for i := range s.deliveries {
		if s.deliveries[i].ID == id {
			orig = &s.deliveries[i]
			break
		}
	}
	if orig == nil {
		s.mu.Unlock()
		return Delivery{}, fmt.Errorf("githubsim: no delivery %s", id)
	}
	d := Delivery{ID: orig.ID, Event: orig.Event, Action: orig.Action, InstallationID: orig.InstallationID,
		Body: orig.Body, Redelivery: true, AppID: orig.AppID}
	a := s.apps[orig.AppID]
	url, secret := a.hookURL, a.hookSecret
	s.mu.Unlock()
	return s.post(a, url, secret, d)
}

// Sign returns the X-Hub-Signature-256 value GitHub sends for body.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// post delivers d and logs it; s.mu must not be held.
func (s *Sim) post(a *app, url, secret string, d Delivery) (Delivery, error) {
	d.At = time.Now()
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(d.Body))
	if err != nil {
		d.Err = err.Error()
		s.logDelivery(d)
		return d, fmt.Errorf("githubsim: delivering %s: %w", d.Event, err)
	}
	h := req.Header
	h.Set("Content-Type", "application/json")
	h.Set("User-Agent", "GitHub-Hookshot/"+fmt.Sprintf("%07x", fnv64(a.Slug))[:7])
	h.Set("X-GitHub-Event", d.Event)
	h.Set("X-GitHub-Delivery", d.ID)
	h.Set("X-GitHub-Hook-ID", strconv.FormatInt(a.hookID, 10))
	h.Set("X-GitHub-Hook-Installation-Target-Type", "integration")
	h.Set("X-GitHub-Hook-Installation-Target-ID", strconv.FormatInt(a.ID, 10))
	h.Set("X-Hub-Signature-256", Sign(secret, d.Body))
	resp, err := s.opts.HTTPClient.Do(req)
	if err != nil {
		d.Err = err.Error()
		s.logDelivery(d)
		return d, fmt.Errorf("githubsim: delivering %s %s: %w", d.Event, d.ID, err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	d.Status = resp.StatusCode
	s.logDelivery(d)
	return d, nil
}

func (s *Sim) logDelivery(d Delivery) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d.Number = 70000000 + int64(len(s.deliveries)) + 1
	s.deliveries = append(s.deliveries, d)
}

// emitLocked renders a payload with s.mu held and returns a function that
// sends it (to be called after unlocking) to every App it concerns: those
// with a webhook and an installation that reaches r, or, for an event
// about one installation, that installation's App; an event about neither
// (ping) goes to the Sim's own App. Payloads get "repository",
// "organization", "installation" and "sender" from the arguments. The
// function returns the delivery to the Sim's own App when there is one,
// else the first.
func (s *Sim) emitLocked(event string, r *repo, sender *user, payload obj) func() (Delivery, error) {
	if r != nil {
		payload["repository"] = s.repoJSON(r, event == "push")
		if o, ok := s.orgs[lower(r.Owner.Login)]; ok {
			payload["organization"] = s.orgJSON(o.user)
		}
	}
	if sender != nil {
		payload["sender"] = s.userJSON(sender)
	}
	type prepared struct {
		app         *app
		url, secret string
		d           Delivery
	}
	var sends []prepared
	for _, a := range s.appsLocked() {
		if a.hookURL == "" {
			continue
		}
		p := make(obj, len(payload)+1)
		for k, v := range payload {
			p[k] = v
		}
		var instID int64
		if r != nil {
			in := s.installationForRepo(a, r)
			if in == nil {
				continue // GitHub sends an App nothing about repositories it cannot reach
			}
			instID = in.ID
			if _, set := p["installation"]; !set {
				p["installation"] = s.installationRef(in)
			}
		}
		if v, ok := p["installation"].(obj); ok {
			if id, ok := v["id"].(int64); ok {
				instID = id
			}
		}
		if r == nil {
			in := s.installations[instID]
			if (in == nil && a != s.app) || (in != nil && in.app != a) {
				continue // about another App's installation, or about none
			}
		}
		body, err := json.Marshal(p)
		if err != nil {
			panic("githubsim: rendering a payload: " + err.Error())
		}
		action, _ := p["action"].(string)
		sends = append(sends, prepared{a, a.hookURL, a.hookSecret,
			Delivery{ID: newUUID(), Event: event, Action: action, InstallationID: instID, Body: body, AppID: a.ID}})
	}
	return func() (Delivery, error) {
		var first Delivery
		var firstErr error
		for i, x := range sends {
			d, err := s.post(x.app, x.url, x.secret, x.d)
			if i == 0 {
				first, firstErr = d, err
			}
		}
		return first, firstErr
	}
}

// later queues send to run in the background after the current REST
// response has been written. It counts the webhook as pending at once, before
// the response, so that a client that got the response and calls Wait never
// misses it.
func (s *Sim) later(c *reqCtx, send func() (Delivery, error)) {
	s.qmu.Lock()
	s.pending++
	s.qmu.Unlock()
	c.after = append(c.after, send)
}

// enqueue starts sends reserved by later, in order.
func (s *Sim) enqueue(send func() (Delivery, error)) {
	s.qmu.Lock()
	s.queue = append(s.queue, func() { _, _ = send() })
	if !s.running {
		s.running = true
		go s.drain()
	}
	s.qmu.Unlock()
}

func (s *Sim) drain() {
	for {
		s.qmu.Lock()
		if len(s.queue) == 0 {
			s.running = false
			s.qcond.Broadcast()
			s.qmu.Unlock()
			return
		}
		f := s.queue[0]
		s.queue = s.queue[1:]
		s.qmu.Unlock()
		f()
		s.qmu.Lock()
		s.pending--
		s.qcond.Broadcast()
		s.qmu.Unlock()
	}
}

// Wait blocks until every webhook queued by the App's own REST writes (its
// comments' issue_comment events) has been delivered.
func (s *Sim) Wait() {
	s.qmu.Lock()
	defer s.qmu.Unlock()
	for s.pending > 0 || s.running {
		s.qcond.Wait()
	}
}
