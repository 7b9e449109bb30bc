package githubsim

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// GitHub's limits on a check run's output.
const (
	maxCheckOutputChars  = 65535 // summary, and text, each
	maxCheckAnnotations  = 50    // per request
	maxAnnotationMessage = 64 << 10
)

type checkRun struct {
	ID          int64
	repo        *repo
	app         *app
	Name        string
	HeadSHA     string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
	StartedAt   time.Time
	CompletedAt time.Time
}

// CheckRun is a check run the App created, for assertions.
type CheckRun struct {
	ID          int64
	Name        string
	HeadSHA     string
	Status      string
	Conclusion  string
	Title       string
	Summary     string
	Text        string
	Annotations []Annotation
}

// Annotation is one line a check run marks in a file.
type Annotation struct {
	Path            string `json:"path"`
	StartLine       int    `json:"start_line"`
	EndLine         int    `json:"end_line"`
	AnnotationLevel string `json:"annotation_level"`
	Message         string `json:"message"`
	Title           string `json:"title,omitempty"`
}

// CheckRuns returns the check runs created on repo, oldest first.
func (s *Sim) CheckRuns(fullName string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, cr := range s.checkRuns {
		if !strings.EqualFold(cr.repo.FullName(), fullName) {
			continue
		}
		out = append(out, CheckRun{ID: cr.ID, Name: cr.Name, HeadSHA: cr.HeadSHA, Status: cr.Status, Conclusion: cr.Conclusion,
			Title: cr.Title, Summary: cr.Summary, Text: cr.Text, Annotations: slices.Clone(cr.Annotations)})
	}
	return out
}

// createCheckRun is POST /repos/{owner}/{repo}/check-runs, validated as
// GitHub validates it: name and head_sha are required and head_sha must be
// a commit of the repository (422 "No commit found for SHA"); a conclusion
// completes the run, and a completed run needs one; output needs a title
// and a summary, each field at most 65535 characters, and at most 50
// annotations, each with path, lines, level and message.
func (s *Sim) createCheckRun(c *reqCtx) {
	r, ok := s.repoFor(c)
	if !ok {
		return
	}
	var in struct {
		Name        *string `json:"name"`
		HeadSHA     *string `json:"head_sha"`
		Status      string  `json:"status"`
		Conclusion  string  `json:"conclusion"`
		DetailsURL  string  `json:"details_url"`
		ExternalID  string  `json:"external_id"`
		StartedAt   string  `json:"started_at"`
		CompletedAt string  `json:"completed_at"`
		Output      *struct {
			Title       *string      `json:"title"`
			Summary     *string      `json:"summary"`
			Text        string       `json:"text"`
			Annotations []Annotation `json:"annotations"`
		} `json:"output"`
	}
	if err := json.Unmarshal(c.body, &in); err != nil {
		s.writeJSON(c, http.StatusBadRequest, obj{"message": "Problems parsing JSON", "documentation_url": docsURL, "status": "400"})
		return
	}
	invalid := func(msg string) {
		s.writeJSON(c, http.StatusUnprocessableEntity, obj{"message": msg, "documentation_url": docsURL, "status": "422"})
	}
	switch {
	case in.Name == nil || *in.Name == "":
		invalid("Invalid request.\n\n\"name\" wasn't supplied.")
		return
	case in.HeadSHA == nil || *in.HeadSHA == "":
		invalid("Invalid request.\n\n\"head_sha\" wasn't supplied.")
		return
	case !r.hasCommit(*in.HeadSHA):
		invalid("No commit found for SHA: " + *in.HeadSHA)
		return
	}
	status := in.Status
	if status == "" {
		status = "queued"
	}
	if in.Conclusion != "" {
		status = "completed"
	}
	switch {
	case !slices.Contains([]string{"queued", "in_progress", "completed"}, status):
		invalid(fmt.Sprintf("Invalid request.\n\n%q is not a member of [\"queued\", \"in_progress\", \"completed\"].", status))
		return
	case status == "completed" && in.Conclusion == "":
		invalid("Invalid request.\n\nNo subschema in \"anyOf\" matched.\n\"conclusion\" wasn't supplied.")
		return
	case in.Conclusion != "" && !slices.Contains([]string{"action_required", "cancelled", "failure", "neutral", "success", "skipped", "stale", "timed_out"}, in.Conclusion):
		invalid(fmt.Sprintf("Invalid request.\n\n%q is not a valid conclusion.", in.Conclusion))
		return
	}
	cr := &checkRun{ID: s.nextID("check_run"), repo: r, app: c.inst.app, Name: *in.Name, HeadSHA: *in.HeadSHA, Status: status, Conclusion: in.Conclusion, StartedAt: s.now()}
	if status == "completed" {
		cr.CompletedAt = s.now()
	}
	if o := in.Output; o != nil {
		switch {
		case o.Title == nil:
			invalid("Invalid request.\n\n\"title\" wasn't supplied.")
			return
		case o.Summary == nil:
			invalid("Invalid request.\n\n\"summary\" wasn't supplied.")
			return
		case utf8.RuneCountInString(*o.Summary) > maxCheckOutputChars, utf8.RuneCountInString(o.Text) > maxCheckOutputChars:
			invalid(fmt.Sprintf("Invalid request.\n\nOnly %d characters are allowed; %d were supplied.", maxCheckOutputChars,
				max(utf8.RuneCountInString(*o.Summary), utf8.RuneCountInString(o.Text))))
			return
		case len(o.Annotations) > maxCheckAnnotations:
			invalid(fmt.Sprintf("Invalid request.\n\nOnly %d annotations are allowed per request; %d were supplied.", maxCheckAnnotations, len(o.Annotations)))
			return
		}
		for _, a := range o.Annotations {
			if a.Path == "" || a.StartLine < 1 || a.EndLine < a.StartLine || a.Message == "" || len(a.Message) > maxAnnotationMessage ||
				!slices.Contains([]string{"notice", "warning", "failure"}, a.AnnotationLevel) {
				invalid("Invalid request.\n\nFor 'items', an annotation needs path, start_line, end_line, annotation_level (notice, warning or failure) and message.")
				return
			}
		}
		cr.Title, cr.Summary, cr.Text, cr.Annotations = *o.Title, *o.Summary, o.Text, o.Annotations
	}
	s.checkRuns = append(s.checkRuns, cr)
	s.writeJSON(c, http.StatusCreated, s.checkRunJSON(cr))
}

func (s *Sim) checkRunJSON(cr *checkRun) obj {
	api := fmt.Sprintf("%s/repos/%s/check-runs/%d", s.apiURL, cr.repo.FullName(), cr.ID)
	var completed any
	if !cr.CompletedAt.IsZero() {
		completed = ts(cr.CompletedAt)
	}
	return obj{
		"id": cr.ID, "node_id": nodeID("CR_", cr.ID), "head_sha": cr.HeadSHA, "external_id": "",
		"url": api, "html_url": fmt.Sprintf("%s/%s/runs/%d", s.web(), cr.repo.FullName(), cr.ID), "details_url": s.web() + "/apps/" + cr.app.Slug,
		"status": cr.Status, "conclusion": nullIfEmpty(cr.Conclusion), "started_at": ts(cr.StartedAt), "completed_at": completed,
		"output": obj{"title": nullIfEmpty(cr.Title), "summary": nullIfEmpty(cr.Summary), "text": nullIfEmpty(cr.Text),
			"annotations_count": len(cr.Annotations), "annotations_url": api + "/annotations"},
		"name": cr.Name, "check_suite": obj{"id": 5000000000 + cr.ID}, "app": s.appJSON(cr.app), "pull_requests": []any{},
	}
}

// hasCommit reports whether sha is a commit the repository has: a head of
// a branch, a pushed commit, or a pull request's head or merge commit.
func (r *repo) hasCommit(sha string) bool {
	if sha == r.HeadSHA {
		return true
	}
	if _, ok := r.commits[sha]; ok {
		return true
	}
	for _, is := range r.issues {
		if is.PR != nil && (is.PR.HeadSHA == sha || is.PR.MergeSHA == sha) {
			return true
		}
	}
	return false
}

// filesAt returns the files at ref: the default branch (the default), a
// branch name, refs/heads/NAME or a commit SHA.
func (r *repo) filesAt(ref string) (map[string]string, bool) {
	ref = strings.TrimPrefix(ref, "refs/heads/")
	switch {
	case ref == "" || ref == r.DefaultBranch || ref == r.HeadSHA:
		return r.files, true
	case r.branches[ref] != "":
		return r.commits[r.branches[ref]], true
	}
	files, ok := r.commits[ref]
	return files, ok
}
