package config

import (
	"context"
	"path"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ownershipbot/ownershipbot/analysis"
)

// fakeRepos serves files and directory listings of repositories, as
// GitHub's contents endpoint does, and counts the calls.
type fakeRepos struct {
	files map[string]string // "owner/repo:path"
	calls int
}

func (f *fakeRepos) fetch(_ context.Context, _ int64, owner, repo, p string) ([]byte, bool, error) {
	f.calls++
	data, ok := f.files[owner+"/"+repo+":"+p]
	return []byte(data), ok, nil
}

func (f *fakeRepos) list(_ context.Context, _ int64, owner, repo, dir string) ([]Entry, bool, error) {
	f.calls++
	seen := map[string]bool{}
	var out []Entry
	for k := range f.files {
		p, ok := strings.CutPrefix(k, owner+"/"+repo+":"+dir+"/")
		if !ok {
			continue
		}
		name, _, isDir := strings.Cut(p, "/")
		if !seen[name] {
			seen[name] = true
			out = append(out, Entry{Name: name, Dir: isDir})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, len(out) > 0, nil
}

func (f *fakeRepos) loader() *Loader {
	l := NewLoader(f.fetch, time.Minute)
	l.List = f.list
	return l
}

const prTemplate = "## Why\n\nDescribe the problem this solves, so that reviewers know what to look for.\n"

func TestLoaderReadsTemplatesAndCachesThem(t *testing.T) {
	f := &fakeRepos{files: map[string]string{
		"acme/web:.github/PULL_REQUEST_TEMPLATE.md":     prTemplate,
		"acme/web:.github/ISSUE_TEMPLATE/bug.md":        "---\nname: Bug\nabout: Tell us so we can fix it\n---\n## Impact\n\nSay who is affected, because we triage by impact.\n",
		"acme/web:.github/ISSUE_TEMPLATE/config.yml":    "blank_issues_enabled: false\n",
		"acme/web:.github/ISSUE_TEMPLATE/notes.txt":     "not a template",
		"acme/web:.github/ISSUE_TEMPLATE/form.yml":      "name: F\nbody:\n  - type: textarea\n    attributes:\n      label: Motivation\n      placeholder: We need this because\n",
		"acme/web:.github/ISSUE_TEMPLATE/broken.yml":    "body: [\n",
		"acme/web:.github/workflows/ci.yml":             "on: push\n",
		"acme/api:.github/ownership.yml":                "comment: always\n",
		"acme/.github:.github/ISSUE_TEMPLATE/ask.md":    "## Why\n\nExplain why you need it, so that we can plan.\n",
		"acme/.github:.github/pull_request_template.md": prTemplate,
	}}
	l := f.loader()
	ctx := context.Background()
	got, err := l.Load(ctx, 1, "acme", "web")
	if err != nil {
		t.Fatal(err)
	}
	opts := got.RationaleOptions()
	if len(opts.Templates) != 3 {
		t.Fatalf("templates = %q; want the pull request template, bug.md and form.yml (broken.yml does not parse)", opts.Templates)
	}
	for _, body := range []string{prTemplate, "## Impact\n\nSay who is affected, because we triage by impact.\n", "### Motivation\n\nWe need this because\n"} {
		if r := analysis.DetectRationale("x", body, opts); r.Present() {
			t.Errorf("template text reads as a reason with the repository's templates: %q -> %+v", body, r)
		}
		if r := analysis.DetectRationale("x", body, analysis.RationaleOptions{}); !r.Present() {
			t.Errorf("without templates %q is no reason, so this case shows nothing", body)
		}
	}
	calls := f.calls
	l.Load(ctx, 1, "acme", "web")
	if f.calls != calls {
		t.Errorf("a second load made %d calls; templates are cached", f.calls-calls)
	}
	// A repository without templates of its own gets the organisation's.
	api, err := l.Load(ctx, 1, "acme", "api")
	if err != nil || api.Comment != CommentAlways || len(api.RationaleOptions().Templates) != 2 {
		t.Fatalf("org templates: %+v %v", api.RationaleOptions().Templates, err)
	}
	// A push invalidates them with the configuration.
	f.files["acme/web:.github/PULL_REQUEST_TEMPLATE.md"] = "## Why\n\nSomething else entirely, because we changed it.\n"
	l.Invalidate(1, "acme", "web")
	got, _ = l.Load(ctx, 1, "acme", "web")
	if r := analysis.DetectRationale("x", prTemplate, got.RationaleOptions()); !r.Present() {
		t.Errorf("the old template is still used after invalidation")
	}
	if h := got.RationaleOptions().Headings; len(h) != 0 {
		t.Errorf("headings %q from nowhere", h)
	}
}

func TestWatches(t *testing.T) {
	for p, want := range map[string]bool{
		".github/ownership.yml":                true,
		".github/pull_request_template.md":     true,
		".github/PULL_REQUEST_TEMPLATE.md":     true,
		".github/ISSUE_TEMPLATE/bug.md":        true,
		".github/ISSUE_TEMPLATE/form.yaml":     true,
		".github/ISSUE_TEMPLATE/config.yml":    false,
		".github/workflows/ci.yml":             false,
		"docs/pull_request_template.md":        false,
		path.Join(".github", "ISSUE_TEMPLATE"): false,
	} {
		if got := Watches(p); got != want {
			t.Errorf("Watches(%q) = %v, want %v", p, got, want)
		}
	}
}
