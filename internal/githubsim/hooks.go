package githubsim

import (
	"encoding/base64"
	"net/http"
	"sort"
	"strconv"
	"strings"
)

// The App's side of its webhook: GitHub keeps a log of every delivery
// attempt (GET /app/hook/deliveries, newest first, paged by cursor) and
// sends one again on request (POST .../attempts); both authenticate as the
// App with its JWT.

func deliveryStatus(d Delivery) (string, int) {
	switch {
	case d.Status == 0:
		return "failed to connect to host", 0
	case d.Status >= 200 && d.Status < 300:
		return "OK", d.Status
	}
	return "Invalid HTTP Response: " + strconv.Itoa(d.Status), d.Status
}

func (s *Sim) deliveryJSON(d Delivery) obj {
	status, code := deliveryStatus(d)
	var action any
	if d.Action != "" {
		action = d.Action
	}
	var inst any
	if d.InstallationID != 0 {
		inst = d.InstallationID
	}
	return obj{
		"id": d.Number, "guid": d.ID, "delivered_at": ts(d.At), "redelivery": d.Redelivery,
		"duration": 0.05, "status": status, "status_code": code, "event": d.Event, "action": action,
		"installation_id": inst, "repository_id": nil, "throttled_at": nil,
	}
}

// listHookDeliveries pages the delivery log newest first: per_page (at
// most 100) and an opaque cursor, with a Link header to the next page.
func (s *Sim) listHookDeliveries(c *reqCtx) {
	var all []Delivery
	for _, d := range s.deliveries {
		if d.AppID == c.app.ID {
			all = append(all, d)
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Number > all[j].Number })
	q := c.r.URL.Query()
	per := 30
	if v, err := strconv.Atoi(q.Get("per_page")); err == nil && v > 0 {
		per = min(v, 100)
	}
	from := 0
	if cur := q.Get("cursor"); cur != "" {
		raw, err := base64.RawURLEncoding.DecodeString(cur)
		n, perr := strconv.Atoi(string(raw))
		if err != nil || perr != nil || n < 0 {
			s.writeJSON(c, http.StatusUnprocessableEntity, obj{"message": "Validation Failed", "documentation_url": docsURL, "status": "422"})
			return
		}
		from = min(n, len(all))
	}
	to := min(from+per, len(all))
	out := []any{}
	for _, d := range all[from:to] {
		out = append(out, s.deliveryJSON(d))
	}
	if to < len(all) {
		u := *c.r.URL
		u.Scheme = "http"
		u.Host = c.r.Host
		qq := u.Query()
		qq.Set("per_page", strconv.Itoa(per))
		qq.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte(strconv.Itoa(to))))
		u.RawQuery = qq.Encode()
		c.w.Header().Set("Link", "<"+u.String()+`>; rel="next"`)
	}
	s.writeJSON(c, http.StatusOK, out)
}

// redeliverHookDelivery answers 202 and sends the delivery again, with its
// GUID, once the answer is out.
func (s *Sim) redeliverHookDelivery(c *reqCtx) {
	n, _ := strconv.ParseInt(c.params["delivery_id"], 10, 64)
	var orig *Delivery
	for i := range s.deliveries {
		if s.deliveries[i].Number == n && s.deliveries[i].AppID == c.app.ID {
			orig = &s.deliveries[i]
		}
	}
	if orig == nil {
		s.writeError(c, http.StatusNotFound, "Not Found")
		return
	}
	d := Delivery{ID: orig.ID, Event: orig.Event, Action: orig.Action, InstallationID: orig.InstallationID,
		Body: orig.Body, Redelivery: true, AppID: orig.AppID}
	a := c.app
	url, secret := a.hookURL, a.hookSecret
	s.writeJSON(c, http.StatusAccepted, obj{})
	s.later(c, func() (Delivery, error) { return s.post(a, url, secret, d) })
}

// RedeliveryRequests returns the GUIDs the App asked to redeliver, in order.
func (s *Sim) RedeliveryRequests() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.requests {
		if r.Route == "/app/hook/deliveries/{delivery_id}/attempts" && r.Status == http.StatusAccepted {
			n, _ := strconv.ParseInt(strings.Split(strings.TrimPrefix(r.Path, "/app/hook/deliveries/"), "/")[0], 10, 64)
			for _, d := range s.deliveries {
				if d.Number == n {
					out = append(out, d.ID)
					break
				}
			}
		}
	}
	return out
}

// listAppInstallations lists the App's installations (JWT).
func (s *Sim) listAppInstallations(c *reqCtx) {
	ids := make([]int64, 0, len(s.installations))
	for id, in := range s.installations {
		if in.app == c.app {
			ids = append(ids, id)
		}
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	from, to := s.paginate(c, len(ids))
	out := []any{}
	for _, id := range ids[from:to] {
		out = append(out, s.installationJSON(s.installations[id], true))
	}
	s.writeJSON(c, http.StatusOK, out)
}

// getRepoInstallation finds the installation that reaches a repository (JWT).
func (s *Sim) getRepoInstallation(c *reqCtx) {
	r, ok := s.repos[lower(c.params["owner"]+"/"+c.params["repo"])]
	if ok {
		if in := s.installationForRepo(c.app, r); in != nil {
			s.writeJSON(c, http.StatusOK, s.installationJSON(in, true))
			return
		}
	}
	s.writeError(c, http.StatusNotFound, "Not Found")
}
