// Package openapitest checks HTTP requests against GitHub's REST API
// description, the OpenAPI document of npm @octokit/openapi, so that tests can
// prove every request a client made is a real GitHub route.
//
//	spec := openapitest.Load(t)
//	for _, r := range sim.Requests() {
//		if _, ok := spec.Match(r.Method, r.Path); !ok {
//			t.Errorf("%s %s is not a GitHub REST route", r.Method, r.Path)
//		}
//	}
package openapitest

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// SpecPath is the OpenAPI document's path relative to the module root.
const SpecPath = "testdata/npm/node_modules/@octokit/openapi/generated/api.github.com.json"

// Spec is the set of GitHub REST routes: path templates and their methods.
type Spec struct {
	routes []route
}

type route struct {
	template string
	segs     []string
	methods  map[string]bool
}

var (
	loadOnce sync.Once
	loaded   *Spec
	loadErr  error
)

// Load reads GitHub's OpenAPI document, found by walking up from the working
// directory to the module root (the directory with go.mod). It fails the test
// when the document is missing, saying how to install it. The document is
// parsed once per process.
func Load(t testing.TB) *Spec {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = load() })
	if loadErr != nil {
		t.Fatalf("%v", loadErr)
	}
	return loaded
}

func load() (*Spec, error) {
	p, err := fixture(SpecPath)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return Parse(f)
}

// WebhookExamplesPath is the webhook examples' index (npm
// @octokit/webhooks-examples) relative to the module root.
const WebhookExamplesPath = "testdata/npm/node_modules/@octokit/webhooks-examples/api.github.com/index.json"

// Fixture returns the absolute path of rel, a file under the module root
// (such as WebhookExamplesPath), failing the test when it is missing.
func Fixture(t testing.TB, rel string) string {
	t.Helper()
	p, err := fixture(rel)
	if err != nil {
		t.Fatalf("%v", err)
	}
	return p
}

func fixture(rel string) (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("openapitest: no go.mod above the working directory, so no %s; run: cd testdata/npm && npm ci", rel)
		}
		dir = parent
	}
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("openapitest: %s is missing; run: cd testdata/npm && npm ci", p)
	}
	return p, nil
}

// Parse reads an OpenAPI document.
func Parse(r io.Reader) (*Spec, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapitest: reading the OpenAPI document: %w", err)
	}
	s := &Spec{}
	for tmpl, ops := range doc.Paths {
		rt := route{template: tmpl, segs: split(tmpl), methods: map[string]bool{}}
		for m := range ops {
			switch m {
			case "get", "put", "post", "patch", "delete", "head", "options":
				rt.methods[strings.ToUpper(m)] = true
			}
		}
		if len(rt.methods) > 0 {
			s.routes = append(s.routes, rt)
		}
	}
	sort.Slice(s.routes, func(i, j int) bool { return s.routes[i].template < s.routes[j].template })
	if len(s.routes) == 0 {
		return nil, fmt.Errorf("openapitest: the OpenAPI document has no paths")
	}
	return s, nil
}

func split(p string) []string { return strings.Split(strings.Trim(p, "/"), "/") }

// Has reports whether GitHub's API has template (e.g.
// "/repos/{owner}/{repo}/issues/{issue_number}") with method.
func (s *Spec) Has(method, template string) bool {
	for _, r := range s.routes {
		if r.template == template {
			return r.methods[strings.ToUpper(method)]
		}
	}
	return false
}

// Match finds the route template of a concrete request path (query and a
// GitHub Enterprise "/api/v3" prefix are ignored) with that method. Literal
// segments win over parameters; a final {path} parameter may span slashes,
// as in the contents API.
func (s *Spec) Match(method, path string) (template string, ok bool) {
	if i := strings.IndexAny(path, "?#"); i >= 0 {
		path = path[:i]
	}
	if p, cut := strings.CutPrefix(path, "/api/v3"); cut && (p == "" || strings.HasPrefix(p, "/")) {
		path = p
	}
	segs := split(path)
	method = strings.ToUpper(method)
	best, bestScore := "", -1
	for _, r := range s.routes {
		if !r.methods[method] {
			continue
		}
		score, ok := matchSegs(r.segs, segs)
		if ok && score > bestScore {
			best, bestScore = r.template, score
		}
	}
	return best, bestScore >= 0
}

func matchSegs(tmpl, segs []string) (int, bool) {
	score := 0
	for i, t := range tmpl {
		if t == "{path}" && i == len(tmpl)-1 && i < len(segs) {
			return score, true
		}
		if i >= len(segs) || segs[i] == "" {
			return 0, false
		}
		if strings.HasPrefix(t, "{") && strings.HasSuffix(t, "}") {
			continue
		}
		if t != segs[i] {
			return 0, false
		}
		score++
	}
	return score, len(segs) == len(tmpl)
}
