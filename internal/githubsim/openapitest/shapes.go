package openapitest

import (
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

// WebhookEvents are the events whose shapes the generator keeps: the ones
// the Sim delivers. A test of a payload of any other event fails, naming it.
var WebhookEvents = []string{
	"installation", "installation_repositories", "issue_comment", "issues", "ping", "pull_request",
	"pull_request_review", "pull_request_review_comment", "pull_request_review_thread", "push",
}

// Shape is what every example of a webhook carries: each key path (such as
// "issue.labels[].name"; an array is described by its first element) and the
// JSON types the examples have there.
type Shape map[string]map[string]bool

// JSONType names the JSON type of a value decoded by encoding/json.
func JSONType(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// KeyPaths flattens a decoded JSON value into key path -> JSON type.
func KeyPaths(v any) map[string]string {
	out := map[string]string{}
	keyPaths(v, "", out)
	return out
}

func keyPaths(v any, prefix string, out map[string]string) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			out[p] = JSONType(e)
			keyPaths(e, p, out)
		}
	case []any:
		if len(x) > 0 {
			keyPaths(x[0], prefix+"[]", out)
		}
	}
}

// ShapeOf returns the key paths all examples carry, with every type seen.
func ShapeOf(examples []map[string]any) Shape {
	var want Shape
	for i, x := range examples {
		paths := KeyPaths(x)
		if i == 0 {
			want = Shape{}
			for p, ty := range paths {
				want[p] = map[string]bool{ty: true}
			}
			continue
		}
		for p := range want {
			ty, ok := paths[p]
			if !ok {
				delete(want, p)
				continue
			}
			want[p][ty] = true
		}
	}
	return want
}

//go:embed webhook-shapes.json
var shapesJSON []byte

var (
	shapesOnce sync.Once
	shapes     map[string]Shape
	shapesErr  error
)

// WebhookShapes returns the committed shapes of GitHub's webhook examples,
// keyed "event.action" ("ping." and "push." for events without actions),
// plus "event" for what every example of the event carries, whatever its
// action.
func WebhookShapes(t testing.TB) map[string]Shape {
	t.Helper()
	shapesOnce.Do(func() { shapes, shapesErr = ReadShapes(bytes.NewReader(shapesJSON)) })
	if shapesErr != nil {
		t.Fatalf("%v", shapesErr)
	}
	return shapes
}

// shapesFile is the stored form: each distinct object is written once and
// referred to by name, so the repository, user and label objects that every
// payload repeats cost one entry each. An entry's value is its JSON types
// joined by "|", then " @name" when it holds an object (or an array's
// elements, under "key[]").
type shapesFile struct {
	Source   string                       `json:"source"`
	Webhooks map[string]string            `json:"webhooks"`
	Objects  map[string]map[string]string `json:"objects"`
}

type node struct {
	types    []string
	children map[string]*node
}

func tree(s Shape) *node {
	root := &node{children: map[string]*node{}}
	for p, types := range s {
		n := root
		for _, seg := range strings.Split(p, ".") {
			c := n.children[seg]
			if c == nil {
				c = &node{children: map[string]*node{}}
				n.children[seg] = c
			}
			n = c
		}
		n.types = sortedKeys(types)
	}
	return root
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// WriteShapes writes shapes (keyed as WebhookShapes returns them) with
// source, a note of where they came from.
func WriteShapes(w io.Writer, source string, shapes map[string]Shape) error {
	f := shapesFile{Source: source, Webhooks: map[string]string{}, Objects: map[string]map[string]string{}}
	names := map[string]string{} // canonical form -> object name
	canon := map[*node]string{}
	var canonical func(n *node) string
	canonical = func(n *node) string {
		if c, ok := canon[n]; ok {
			return c
		}
		var b strings.Builder
		b.WriteString(strings.Join(n.types, "|") + "{")
		for _, k := range sortedKeys(n.children) {
			fmt.Fprintf(&b, "%q:%s,", k, canonical(n.children[k]))
		}
		b.WriteString("}")
		canon[n] = b.String()
		return canon[n]
	}
	var name func(n *node, want string) string
	name = func(n *node, want string) string {
		c := canonical(&node{children: n.children})
		if got, ok := names[c]; ok {
			return got
		}
		got := want
		for i := 2; f.Objects[got] != nil; i++ {
			got = fmt.Sprintf("%s~%d", want, i)
		}
		names[c] = got
		obj := map[string]string{}
		f.Objects[got] = obj
		for _, k := range sortedKeys(n.children) {
			child := n.children[k]
			v := strings.Join(child.types, "|")
			if len(child.children) > 0 {
				v = strings.TrimSpace(v + " @" + name(child, strings.TrimSuffix(k, "[]")))
			}
			obj[k] = v
		}
		return got
	}
	for _, key := range sortedKeys(shapes) {
		f.Webhooks[key] = name(tree(shapes[key]), key)
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// ReadShapes reads what WriteShapes wrote.
func ReadShapes(r io.Reader) (map[string]Shape, error) {
	var f shapesFile
	if err := json.NewDecoder(r).Decode(&f); err != nil {
		return nil, fmt.Errorf("openapitest: reading webhook shapes: %w", err)
	}
	var expand func(s Shape, obj, prefix string, depth int) error
	expand = func(s Shape, obj, prefix string, depth int) error {
		entries, ok := f.Objects[obj]
		if !ok || depth > 64 {
			return fmt.Errorf("openapitest: webhook shapes: object %q is missing or nested in itself", obj)
		}
		for k, v := range entries {
			p := k
			if prefix != "" {
				p = prefix + "." + k
			}
			types, ref, _ := strings.Cut(v, "@")
			if types = strings.TrimSpace(types); types != "" {
				s[p] = map[string]bool{}
				for _, ty := range strings.Split(types, "|") {
					s[p][ty] = true
				}
			}
			if ref != "" {
				if err := expand(s, ref, p, depth+1); err != nil {
					return err
				}
			}
		}
		return nil
	}
	out := map[string]Shape{}
	for key, obj := range f.Webhooks {
		s := Shape{}
		if err := expand(s, obj, "", 0); err != nil {
			return nil, err
		}
		out[key] = s
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("openapitest: webhook shapes: none")
	}
	return out, nil
}
