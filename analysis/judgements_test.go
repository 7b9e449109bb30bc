package analysis

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every judgement the package makes is pinned: a change to speed or tidy
// the code must leave each comment's product_level, concerns, evidence
// (text, phrases, features, decided_by), margins and each issue's
// rationale as they were. A change meant to alter judgements (new weights,
// a new phrase) regenerates the pins with -update and shows the diff of
// testdata/judgements.golden in review.
var (
	updateJudgements = flag.Bool("update", false, "rewrite testdata/judgements.golden and testdata/judgements-real.sha256 from the current code")
	dumpJudgements   = flag.String("judgements.dump", "", "write the judgements on the real pools into this directory (outside the project) to diff them")
)

const (
	judgementsGolden = "testdata/judgements.golden"
	judgementsReal   = "testdata/judgements-real.sha256"
)

// judgement is one text's full output, as one line.
func judgement(title, body string) string {
	a := testAnalyzer.AnalyzeComment(body)
	m := testAnalyzer.Margins(body)
	var margins [len(m)]string
	for i, v := range m {
		margins[i] = fmt.Sprintf("%08x", math.Float32bits(v))
	}
	r := DetectRationale(title, body, RationaleOptions{})
	b, err := json.Marshal(struct {
		Comment   CommentAnalysis
		Margins   [len(m)]string
		Rationale Rationale
	}{a, margins, r})
	if err != nil {
		panic(err)
	}
	return string(b)
}

// teamJudgements are the judgements on the team's own texts in testdata,
// one line each, named by file and line.
func teamJudgements(t *testing.T) string {
	var out strings.Builder
	for _, name := range []string{"comments_dev.tsv", "comments_heldout.tsv"} {
		for _, c := range loadComments(t, name) {
			fmt.Fprintf(&out, "%s:%d\t%s\n", name, c.line, judgement("", c.text))
		}
	}
	for _, name := range []string{"issues_dev.tsv", "issues_heldout.tsv"} {
		for _, i := range loadIssues(t, name) {
			fmt.Fprintf(&out, "%s:%d\t%s\n", name, i.line, judgement(i.title, i.body))
		}
	}
	for n, s := range fuzzSeeds {
		fmt.Fprintf(&out, "fuzz seed %d\t%s\n", n, judgement(s, s))
	}
	return out.String()
}

func TestJudgementsPinnedOnTeamTexts(t *testing.T) {
	got := teamJudgements(t)
	if *updateJudgements {
		if err := os.WriteFile(judgementsGolden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(judgementsGolden)
	if err != nil {
		t.Fatal(err)
	}
	wl, gl := strings.Split(string(want), "\n"), strings.Split(got, "\n")
	if len(wl) != len(gl) {
		t.Fatalf("%d judgements, %s pins %d", len(gl), judgementsGolden, len(wl))
	}
	bad := 0
	for i := range wl {
		if wl[i] != gl[i] {
			if bad++; bad <= 5 {
				t.Errorf("judgement changed:\nwant %s\ngot  %s", wl[i], gl[i])
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d judgements changed (go test -run TestJudgementsPinned ./analysis/ -update if that is meant)", bad, len(wl)-1)
	}
}

// realPools are the real texts the judgements are pinned on by hash: the
// texts stay outside the project, only the hash of the outputs is in it.
var realPools = []string{"github-gold-comments.jsonl", "pr-discussion-comments.jsonl", "nlbse24-issues.jsonl"}

// realJudgementsHash reads one pool and hashes every item's id and
// judgement, writing them to dump when it is not nil.
func realJudgementsHash(t *testing.T, path string, dump *bufio.Writer) (string, int, bool) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, false
	}
	defer f.Close()
	h := sha256.New()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 16<<20)
	n := 0
	for sc.Scan() {
		var it struct{ ID, Title, Text, Body string }
		if err := json.Unmarshal(sc.Bytes(), &it); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		body := it.Text + it.Body
		line := it.ID + "\t" + judgement(it.Title, body) + "\n"
		h.Write([]byte(line))
		if dump != nil {
			dump.WriteString(line)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil)), n, true
}

func TestJudgementsPinnedOnRealTexts(t *testing.T) {
	pinned := map[string]string{}
	if b, err := os.ReadFile(judgementsReal); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if name, sum, ok := strings.Cut(line, " "); ok {
				pinned[name] = sum
			}
		}
	} else if !*updateJudgements {
		t.Fatal(err)
	}
	var out bytes.Buffer
	measured := 0
	for _, name := range realPools {
		var dump *bufio.Writer
		if *dumpJudgements != "" {
			f, err := os.Create(filepath.Join(*dumpJudgements, name+".judgements"))
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			dump = bufio.NewWriter(f)
			defer dump.Flush()
		}
		sum, n, ok := realJudgementsHash(t, filepath.Join(rationaleRealDataDir(), "pools", name), dump)
		if !ok {
			t.Logf("%s not found beside the project: its judgements are not checked", name)
			if *updateJudgements {
				t.Fatalf("-update needs every real pool, %s is missing", name)
			}
			continue
		}
		measured++
		fmt.Fprintf(&out, "%s %s\n", name, sum)
		if !*updateJudgements && pinned[name] != sum {
			t.Errorf("the judgements on %d texts of %s changed: hash %s, %s pins %s (go test -run TestJudgementsPinned ./analysis/ -update if that is meant)",
				n, name, sum, judgementsReal, pinned[name])
		}
	}
	if *updateJudgements {
		if err := os.WriteFile(judgementsReal, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if measured == 0 {
		t.Skip("no real pool beside the project; the team's texts are still pinned")
	}
}

// Pooled scratch is never shared: the same texts judged from several
// goroutines at once come out as judged one by one.
func TestJudgementsSameWhenConcurrent(t *testing.T) {
	var texts []string
	for _, c := range loadComments(t, "comments_heldout.tsv") {
		texts = append(texts, c.text)
	}
	for _, i := range loadIssues(t, "issues_heldout.tsv") {
		texts = append(texts, i.body)
	}
	want := make([]string, len(texts))
	for i, s := range texts {
		want[i] = judgement(s, s)
	}
	const workers = 4
	errs := make(chan string, workers)
	for g := range workers {
		go func() {
			for n := range texts {
				i := (n*7 + g*31) % len(texts)
				if got := judgement(texts[i], texts[i]); got != want[i] {
					errs <- fmt.Sprintf("text %d: concurrent %s, alone %s", i, got, want[i])
					return
				}
			}
			errs <- ""
		}()
	}
	for range workers {
		if e := <-errs; e != "" {
			t.Error(e)
		}
	}
}
