package metrics

import (
	"io"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// declared returns the names of every ownershipbot metric New and
// StoreCollector declare, whether or not they have series yet.
func declared(t *testing.T) []string {
	t.Helper()
	reg := prometheus.NewRegistry()
	New(reg)
	ch := make(chan *prometheus.Desc, 100)
	go func() {
		NewStoreCollector(counts{}, time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil))).Describe(ch)
		close(ch)
	}()
	var descs []*prometheus.Desc
	for d := range ch {
		descs = append(descs, d)
	}
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range families {
		names = append(names, f.GetName())
	}
	fqName := regexp.MustCompile(`fqName: "([^"]+)"`)
	for _, d := range descs {
		names = append(names, fqName.FindStringSubmatch(d.String())[1])
	}
	// Vectors without series are not gathered: read the rest from metrics.go.
	src, err := os.ReadFile("metrics.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`Name: "([a-z_]+)"`).FindAllStringSubmatch(string(src), -1) {
		names = append(names, namespace+"_"+m[1])
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, namespace+"_") && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// documented returns the metric names in the first column of the table
// under heading in a Markdown file, with prefix added.
func documented(t *testing.T, path, heading, prefix string) []string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n"+heading+"\n")
	if !ok {
		t.Fatalf("%s has no %q section", path, heading)
	}
	if i := strings.Index(section, "\n## "); i >= 0 {
		section = section[:i]
	}
	var out []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z_]+)`").FindAllStringSubmatch(section, -1) {
		out = append(out, prefix+m[1])
	}
	slices.Sort(out)
	return out
}

func TestEveryMetricIsDocumented(t *testing.T) {
	code := declared(t)
	if len(code) < 15 {
		t.Fatalf("found only %d metrics in the code: %v", len(code), code)
	}
	for _, doc := range []struct{ path, heading, prefix string }{
		{"../../docs/reference.md", "## Metrics", namespace + "_"},
		{"../../README.md", "## Metrics", ""},
	} {
		if got := documented(t, doc.path, doc.heading, doc.prefix); !slices.Equal(got, code) {
			t.Errorf("%s lists %v;\nthe code declares %v", doc.path, got, code)
		}
	}
}
