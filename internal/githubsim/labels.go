package githubsim

import (
	"encoding/json"
	"net/http"
	"unicode/utf8"
)

// addLabels adds labels to an issue, as POST .../issues/{n}/labels does:
// the body is a list of names, {"labels": [names]} or {"labels":
// [{"name": ...}]}; a label the repository lacks is created; labels the
// issue has already are left as they are, with no event. The answer is the
// issue's labels; each label added sends issues.labeled by the App's bot.
func (s *Sim) addLabels(c *reqCtx) {
	r, is, ok := s.issueFor(c, "issue_number")
	if !ok {
		return
	}
	names, ok := labelNames(c.body)
	if !ok {
		s.writeJSON(c, http.StatusUnprocessableEntity, obj{"message": "Invalid request.\n\nFor 'links/0/schema', nil is not an array.",
			"documentation_url": docsURL, "status": "422"})
		return
	}
	for _, name := range names {
		if name == "" || utf8.RuneCountInString(name) > 50 {
			s.writeJSON(c, http.StatusUnprocessableEntity, obj{"message": "Validation Failed",
				"errors": []any{obj{"resource": "Label", "code": "invalid", "field": "name"}}, "documentation_url": docsURL, "status": "422"})
			return
		}
	}
	for _, name := range names {
		if p, _ := s.labelChange(name, true)(r, is, s.bot(c)); p != nil {
			is.UpdatedAt = s.now()
			p["issue"] = s.issueJSON(r, is)
			s.later(c, s.emitLocked("issues", r, s.bot(c), p))
		}
	}
	s.writeJSON(c, http.StatusOK, s.labelsJSON(r, is))
}

// removeLabel removes one label from an issue: 200 with the labels left,
// or 404 "Label does not exist" when the issue does not have it.
func (s *Sim) removeLabel(c *reqCtx) {
	r, is, ok := s.issueFor(c, "issue_number")
	if !ok {
		return
	}
	p, _ := s.labelChange(c.params["name"], false)(r, is, s.bot(c))
	if p == nil {
		s.writeError(c, http.StatusNotFound, "Label does not exist")
		return
	}
	is.UpdatedAt = s.now()
	p["issue"] = s.issueJSON(r, is)
	s.later(c, s.emitLocked("issues", r, s.bot(c), p))
	s.writeJSON(c, http.StatusOK, s.labelsJSON(r, is))
}

func (s *Sim) labelsJSON(r *repo, is *issue) []any {
	out := []any{}
	for _, l := range is.Labels {
		out = append(out, s.labelJSON(r, l))
	}
	return out
}

// labelNames reads the label names of an add-labels body in any of the
// forms GitHub takes.
func labelNames(body []byte) ([]string, bool) {
	var list []string
	if json.Unmarshal(body, &list) == nil {
		return list, true
	}
	var named struct {
		Labels json.RawMessage `json:"labels"`
	}
	if json.Unmarshal(body, &named) != nil || len(named.Labels) == 0 {
		return nil, false
	}
	if json.Unmarshal(named.Labels, &list) == nil {
		return list, true
	}
	var objs []struct {
		Name string `json:"name"`
	}
	if json.Unmarshal(named.Labels, &objs) != nil {
		return nil, false
	}
	for _, o := range objs {
		list = append(list, o.Name)
	}
	return list, true
}

// SetInstallationPermissions sets what the org on account granted the App,
// as when it has not yet accepted a permission the App added: the App's
// requests that need more get 403 "Resource not accessible by integration".
// Nil restores all the App asks for.
func (s *Sim) SetInstallationPermissions(account string, permissions map[string]string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, err := s.installationByAccount(account)
	if err != nil {
		return err
	}
	in.permissions = permissions
	return nil
}

// Labels returns the label names of issue or pull request number in repo.
func (s *Sim) Labels(fullName string, number int) []string {
	st, _ := s.Issue(fullName, number)
	return st.Labels
}
