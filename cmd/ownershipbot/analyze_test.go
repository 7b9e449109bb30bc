package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"slices"
	"strings"
	"testing"
)

func runWith(t *testing.T, run func(context.Context, *cmdEnv, []string) int, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := &cmdEnv{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(string) string { return "" }}
	code := run(context.Background(), env, args)
	return code, out.String(), errb.String()
}

func TestAnalyzeContractExamples(t *testing.T) {
	in := `{"id": "c1", "kind": "comment", "body": "This adds 300ms to checkout; customers will notice.", "author_association": "MEMBER"}
{"id": "i1", "kind": "issue", "title": "Bump lodash to 4.17.21", "body": ""}
{"id": "i2", "kind": "issue", "title": "Checkout is slow", "body": "Owner: @alice\n\n### Problem\n\nCheckout takes 4s for EU users, so they abandon carts."}
`
	code, out, stderr := runWith(t, runAnalyze, in)
	if code != exitOK || stderr != "" {
		t.Fatalf("exit %d, stderr %q", code, stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d lines, want 3:\n%s", len(lines), out)
	}
	// The concerns come from a learned model; the contract fixes the shape:
	// the author's sentence as text, what weighed most, who decided.
	var first struct {
		ID           string   `json:"id"`
		ProductLevel bool     `json:"product_level"`
		Concerns     []string `json:"concerns"`
		Evidence     []struct {
			Concern   string   `json:"concern"`
			Text      string   `json:"text"`
			Phrases   []string `json:"phrases"`
			Features  []string `json:"features"`
			DecidedBy string   `json:"decided_by"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.ID != "c1" || !first.ProductLevel || !slices.Contains(first.Concerns, "customer_impact") || len(first.Evidence) != len(first.Concerns) {
		t.Errorf("line 1: %s", lines[0])
	}
	for _, e := range first.Evidence {
		if e.Text != "This adds 300ms to checkout; customers will notice." || (e.DecidedBy != "rules" && e.DecidedBy != "model") || len(e.Features)+len(e.Phrases) == 0 {
			t.Errorf("line 1: evidence %+v", e)
		}
	}
	if want := `{"id":"i1","has_rationale":false,"has_owner":false,"product_level":false,"concerns":[],"evidence":[]}`; lines[1] != want {
		t.Errorf("line 2\n got %s\nwant %s", lines[1], want)
	}
	var third map[string]any
	if err := json.Unmarshal([]byte(lines[2]), &third); err != nil {
		t.Fatal(err)
	}
	if third["id"] != "i2" || third["has_rationale"] != true || third["has_owner"] != true {
		t.Errorf("third line = %s", lines[2])
	}
}

func TestAnalyzeBadLinesGetErrorLinesAndExit1(t *testing.T) {
	in := "{\"id\":\"a\",\"body\":\"thanks!\"}\nnot json\n\n{\"id\":\"b\",\"kind\":\"tweet\"}\n{\"id\":\"c\",\"body\":42}\n{\"id\":\"d\",\"kind\":\"comment\",\"body\":\"lgtm\"}\r\n"
	code, out, stderr := runWith(t, runAnalyze, in)
	if code != exitFailure {
		t.Errorf("exit %d, want %d", code, exitFailure)
	}
	if !strings.Contains(stderr, "4 input line(s)") {
		t.Errorf("stderr %q does not count the bad lines", stderr)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 6 {
		t.Fatalf("got %d lines, want 6:\n%s", len(lines), out)
	}
	for i, n := range []int{2, 3, 4, 5} {
		var e struct {
			Line  int    `json:"line"`
			Error string `json:"error"`
		}
		if err := json.Unmarshal([]byte(lines[n-1]), &e); err != nil || e.Line != n || e.Error == "" {
			t.Errorf("bad line %d: got %s", i, lines[n-1])
		}
		if strings.Contains(e.Error, "json.") || strings.Contains(e.Error, "*") {
			t.Errorf("error %q names Go internals", e.Error)
		}
	}
	if !strings.HasPrefix(lines[5], `{"id":"d",`) || !strings.HasPrefix(lines[0], `{"id":"a",`) {
		t.Errorf("valid lines were not analysed in order:\n%s", out)
	}
}

func TestAnalyzeLineLongerThanTheCapIsAnErrorLine(t *testing.T) {
	long := `{"id":"x","body":"` + strings.Repeat("slow ", 100) + `"}`
	in := long + "\n" + `{"id":"y","body":"ok"}` + "\n"
	code, out, _ := runWith(t, runAnalyze, in, "--max-line-bytes", "100")
	if code != exitFailure {
		t.Errorf("exit %d", code)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 2 || !strings.HasPrefix(lines[0], `{"line":1,"error":"the line is longer than 100 bytes"`) || !strings.HasPrefix(lines[1], `{"id":"y"`) {
		t.Errorf("output:\n%s", out)
	}
}

func TestAnalyzeLongLineWithinTheCapIsRead(t *testing.T) {
	body := strings.Repeat("a", 200<<10) + " latency for users"
	in := `{"id":"big","body":"` + body + `"}`
	code, out, stderr := runWith(t, runAnalyze, in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.HasPrefix(out, `{"id":"big"`) || strings.Count(out, "\n") != 1 {
		t.Errorf("output %.200s", out)
	}
}

func TestAnalyzeUsage(t *testing.T) {
	code, out, _ := runWith(t, runAnalyze, "", "--help")
	if code != exitOK || !strings.Contains(out, "Usage: ownershipbot analyze") {
		t.Errorf("--help: exit %d, stdout %q", code, out)
	}
	if code, _, stderr := runWith(t, runAnalyze, "", "--nope"); code != exitUsage || stderr == "" {
		t.Errorf("unknown flag: exit %d", code)
	}
	if code, _, stderr := runWith(t, runAnalyze, "", "file.jsonl"); code != exitUsage || !strings.Contains(stderr, "stdin") {
		t.Errorf("argument: exit %d, stderr %q", code, stderr)
	}
	if code, out, _ := runWith(t, runAnalyze, ""); code != exitOK || out != "" {
		t.Errorf("empty input: exit %d, out %q", code, out)
	}
}

func FuzzAnalyzeInput(f *testing.F) {
	f.Add([]byte(`{"id":"c1","kind":"comment","body":"adds 300ms"}` + "\n" + `{"id":"i1","kind":"issue","title":"t","body":"### Why\n\nusers"}`))
	f.Add([]byte("not json\n\n\r\n{}"))
	f.Add([]byte(`{"id":1,"body":"` + "```" + `\nx\n"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var out bytes.Buffer
		bad, err := analyzeStream(context.Background(), bytes.NewReader(data), &out, analyzeOptions{maxLine: 4096, analyzer: testAnalyzer})
		if err != nil {
			t.Fatal(err)
		}
		want := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			want++
		}
		if got := bytes.Count(out.Bytes(), []byte("\n")); got != want {
			t.Fatalf("%d output lines for %d input lines", got, want)
		}
		if bad > want {
			t.Fatalf("%d bad of %d", bad, want)
		}
		for _, l := range bytes.Split(bytes.TrimSuffix(out.Bytes(), []byte("\n")), []byte("\n")) {
			if len(l) > 0 && !json.Valid(l) {
				t.Fatalf("output line is not JSON: %q", l)
			}
		}
	})
}

// lineSource produces n JSON lines of about 1 KB without holding them.
type lineSource struct {
	n, i int
	buf  []byte
}

func (s *lineSource) Read(p []byte) (int, error) {
	if len(s.buf) == 0 {
		if s.i == s.n {
			return 0, io.EOF
		}
		s.i++
		body := strings.Repeat("The export now takes 40 seconds for large orgs, customers are waiting. ", 14)
		s.buf = []byte(fmt.Sprintf(`{"id":"c%d","kind":"comment","body":%q}`+"\n", s.i, body))
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// heapWatcher counts output lines and samples the live heap as they come.
type heapWatcher struct {
	lines   int
	maxHeap uint64
}

func (w *heapWatcher) Write(p []byte) (int, error) {
	w.lines += bytes.Count(p, []byte("\n"))
	if w.lines%2000 == 0 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.maxHeap = max(w.maxHeap, m.HeapAlloc)
	}
	return len(p), nil
}

func TestAnalyzeStreamsInConstantMemory(t *testing.T) {
	const lines = 40000 // about 40 MB of input
	w := &heapWatcher{}
	bad, err := analyzeStream(context.Background(), &lineSource{n: lines}, w, analyzeOptions{maxLine: defaultMaxLine, analyzer: testAnalyzer})
	if err != nil || bad != 0 {
		t.Fatalf("bad %d, err %v", bad, err)
	}
	if w.lines != lines {
		t.Fatalf("%d output lines for %d input lines", w.lines, lines)
	}
	// The input alone is 40 MB; a reader that kept it would exceed this.
	if w.maxHeap > 24<<20 {
		t.Errorf("live heap reached %d MB while streaming", w.maxHeap>>20)
	}
}

// BenchmarkAnalyzeStream measures the command end to end: JSON decoding,
// analysis and encoding, in MB/s of input per core.
func BenchmarkAnalyzeStream(b *testing.B) {
	src := &lineSource{n: 1}
	line, _ := io.ReadAll(src)
	input := bytes.Repeat(line, 1000)
	b.SetBytes(int64(len(input)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := analyzeStream(context.Background(), bytes.NewReader(input), io.Discard, analyzeOptions{maxLine: defaultMaxLine, analyzer: testAnalyzer}); err != nil {
			b.Fatal(err)
		}
	}
}

func TestAnalyzePullRequestsAndOwnerMetadata(t *testing.T) {
	in := `{"id":"p1","kind":"pull_request","title":"Retry S3 uploads","body":"Fixes #12\n\nWithout retries the nightly backup fails and we skip a night's backup."}
{"id":"i1","kind":"issue","title":"Dark mode","body":"","assignees":["alice"]}
{"id":"i2","kind":"issue","title":"Dark mode","body":"","labels":["owner:acme/design"]}
{"id":"c1","kind":"review_comment","body":"nit: typo"}
`
	code, out, stderr := runWith(t, runAnalyze, in)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := []string{`"id":"p1","has_rationale":true,"has_owner":false`, `"id":"i1","has_rationale":false,"has_owner":true`,
		`"id":"i2","has_rationale":false,"has_owner":true`, `{"id":"c1","product_level":false,"concerns":[],"evidence":[]}`}
	for i, w := range want {
		if i >= len(lines) || !strings.Contains(lines[i], w) {
			t.Errorf("line %d lacks %s:\n%s", i+1, w, out)
		}
	}
	if strings.Contains(lines[3], "has_") {
		t.Errorf("a comment got issue fields: %s", lines[3])
	}
}

func TestAnalyzeTextReadsPlainLines(t *testing.T) {
	in := "This adds 300ms to checkout on mobile, and customers will notice.\nnit: rename the variable\n\n"
	var out, errOut bytes.Buffer
	env := &cmdEnv{stdin: strings.NewReader(in), stdout: &out, stderr: &errOut, getenv: func(string) string { return "" }}
	if code := dispatch(context.Background(), env, []string{"analyze", "--text"}); code != 0 {
		t.Fatalf("analyze --text: exit %d, stderr %s", code, errOut.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 3 {
		t.Fatalf("got %d output lines for 3 input lines:\n%s", len(lines), out.String())
	}
	var first, second analyzeOutput
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &second); err != nil {
		t.Fatal(err)
	}
	if string(first.ID) != "1" || !first.ProductLevel || len(first.Evidence) == 0 {
		t.Errorf("line 1: %s, want id 1, product-level with evidence", lines[0])
	}
	if string(second.ID) != "2" || second.ProductLevel {
		t.Errorf("line 2: %s, want id 2, implementation", lines[1])
	}
}
