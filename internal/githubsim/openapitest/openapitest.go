// Package openapitest checks HTTP requests and webhook payloads against
// GitHub's own descriptions of them: the REST routes of npm @octokit/openapi
// and the payload shapes of npm @octokit/webhooks-examples. Both are kept
// here as small generated files (github-rest-routes.txt,
// webhook-shapes.json), so the tests need nothing but Go; `go run
// ./internal/githubsim/openapitest/gen` regenerates them from the npm
// packages, and .ci/run fails when the committed copies are stale.
//
//	spec := openapitest.Load(t)
//	for _, r := range sim.Requests() {
//		if _, ok := spec.Match(r.Method, r.Path); !ok {
//			t.Errorf("%s %s is not a GitHub REST route", r.Method, r.Path)
//		}
//	}
package openapitest

import (
	"bufio"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"testing"
)

// RoutesFile and ShapesFile are the names of the generated files.
const (
	RoutesFile = "github-rest-routes.txt"
	ShapesFile = "webhook-shapes.json"
)

//go:embed github-rest-routes.txt
var routesText []byte

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

// Load returns GitHub's REST routes from the committed route table, parsed
// once per process.
func Load(t testing.TB) *Spec {
	t.Helper()
	loadOnce.Do(func() { loaded, loadErr = ReadRoutes(bytes.NewReader(routesText)) })
	if loadErr != nil {
		t.Fatalf("%v", loadErr)
	}
	return loaded
}

var httpMethods = map[string]bool{"GET": true, "PUT": true, "POST": true, "PATCH": true, "DELETE": true, "HEAD": true, "OPTIONS": true}

// ReadOpenAPI reads the routes of an OpenAPI document (the generator's input).
func ReadOpenAPI(r io.Reader) (*Spec, error) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, fmt.Errorf("openapitest: reading the OpenAPI document: %w", err)
	}
	s := &Spec{}
	for tmpl, ops := range doc.Paths {
		for m := range ops {
			if httpMethods[strings.ToUpper(m)] {
				s.add(strings.ToUpper(m), tmpl)
			}
		}
	}
	return s.done("the OpenAPI document has no paths")
}

// ReadRoutes reads a route table as WriteRoutes writes it: one "METHOD
// /template" per line; blank lines and lines starting with # are ignored.
func ReadRoutes(r io.Reader) (*Spec, error) {
	s := &Spec{}
	sc := bufio.NewScanner(r)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		m, tmpl, ok := strings.Cut(line, " ")
		if !ok || !httpMethods[m] || !strings.HasPrefix(tmpl, "/") {
			return nil, fmt.Errorf("openapitest: route table line %d: %q is not \"METHOD /path\"", n, line)
		}
		s.add(m, tmpl)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return s.done("the route table is empty")
}

// WriteRoutes writes the route table, sorted by template then method, after
// header, a comment saying where it came from.
func (s *Spec) WriteRoutes(w io.Writer, header string) error {
	bw := bufio.NewWriter(w)
	for _, l := range strings.Split(strings.TrimSpace(header), "\n") {
		fmt.Fprintf(bw, "# %s\n", l)
	}
	for _, r := range s.routes {
		var ms []string
		for m := range r.methods {
			ms = append(ms, m)
		}
		sort.Strings(ms)
		for _, m := range ms {
			fmt.Fprintf(bw, "%s %s\n", m, r.template)
		}
	}
	return bw.Flush()
}

func (s *Spec) add(method, template string) {
	for i := range s.routes {
		if s.routes[i].template == template {
			s.routes[i].methods[method] = true
			return
		}
	}
	s.routes = append(s.routes, route{template: template, segs: split(template), methods: map[string]bool{method: true}})
}

func (s *Spec) done(empty string) (*Spec, error) {
	if len(s.routes) == 0 {
		return nil, fmt.Errorf("openapitest: %s", empty)
	}
	sort.Slice(s.routes, func(i, j int) bool { return s.routes[i].template < s.routes[j].template })
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
