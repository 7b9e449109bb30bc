package analysis

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

// testAnalyzer is the shipped Analyzer, loaded once for all tests.
var testAnalyzer = func() *Analyzer {
	a, err := New()
	if err != nil {
		panic(err)
	}
	return a
}()

// Each concern found says why: the author's sentence, what weighed most
// in it, and whether the phrase rules or the words decided.
func TestEvidenceExplainsItself(t *testing.T) {
	for _, body := range []string{
		"This adds 300ms to every checkout request.",
		"Three enterprise customers asked for SSO last quarter.",
		"Thanks!\n\nAfter the update the app crashes on start and I lose my drafts.",
		"This would log the API key in plaintext, which is a security problem.",
	} {
		a := testAnalyzer.AnalyzeComment(body)
		if !a.ProductLevel {
			t.Errorf("%q: not product-level", body)
			continue
		}
		for _, e := range a.Evidence {
			if e.Text == "" || !strings.Contains(body, e.Text) {
				t.Errorf("%q: evidence text %q is not the author's sentence", body, e.Text)
			}
			if e.DecidedBy != "rules" && e.DecidedBy != "model" {
				t.Errorf("%q: decided_by %q", body, e.DecidedBy)
			}
			if len(e.Features)+len(e.Phrases) == 0 {
				t.Errorf("%q: %s has no phrases or features", body, e.Concern)
			}
			lower := strings.ToLower(body)
			for _, f := range e.Features {
				for _, w := range strings.Fields(f) {
					if !strings.HasPrefix(w, "#") && !strings.Contains(lower, strings.TrimSuffix(w, "y")) {
						t.Errorf("%q: feature %q is not in the text", body, f)
					}
				}
			}
		}
	}
}

// The Analyzer reads the same weights every time it is built.
func TestNewLoadsTheEmbeddedWeights(t *testing.T) {
	if len(testAnalyzer.m.w) < 1000 {
		t.Fatalf("only %d weighted features", len(testAnalyzer.m.w))
	}
	if _, err := unmarshalModel(weightsFile[:len(weightsFile)-3]); err == nil {
		t.Error("a truncated weights file was accepted")
	}
	if _, err := unmarshalModel([]byte("nope")); err == nil {
		t.Error("a file without the magic was accepted")
	}
	again, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again.m.marshal(), weightsFile) {
		t.Error("the weights do not round-trip")
	}
}

// A reason told in two sentences counts: with a model in which each of two
// words weighs half of what a comment needs, neither sentence alone is
// product-level, the two in a row are, and the evidence quotes both.
func TestAPairOfSentencesIsOneInstance(t *testing.T) {
	m := &model{feats: featWindow}
	m.thresh = [nTasks]float32{9, 1, 9, 9, 9, 9, 1}
	half := [nTasks]float32{0, 0.6, 0, 0, 0, 0, 0.6}
	var rows []uint32
	for _, w := range []string{"sluggish", "everyone"} {
		rows = append(rows, hashWord([]byte(w)).word)
	}
	slices.Sort(rows)
	for _, h := range rows {
		m.add(h, half)
	}
	lex, lines, err := parseLexicon("", nil)
	if err != nil {
		t.Fatal(err)
	}
	a := newAnalyzerFrom(lex, lines, m)
	for _, alone := range []string{"It is sluggish now.", "It is like that for everyone."} {
		if got := a.AnalyzeComment(alone); got.ProductLevel {
			t.Errorf("%q alone: product-level %v", alone, got)
		}
	}
	body := "It is sluggish now.\n\nIt is like that for everyone."
	got := a.AnalyzeComment(body)
	if !got.ProductLevel || !slices.Equal(got.Concerns, []Concern{Performance}) {
		t.Fatalf("%q: %+v, want product-level performance", body, got)
	}
	ev := got.Evidence[0]
	if ev.Text != "It is sluggish now. It is like that for everyone." {
		t.Errorf("evidence %q, want both sentences", ev.Text)
	}
	if !slices.Contains(ev.Features, "sluggish") || !slices.Contains(ev.Features, "everyone") {
		t.Errorf("features %q, want the word of each sentence", ev.Features)
	}
	// Margins read the pair too.
	if m := a.Margins(body); m[6] < 0 {
		t.Errorf("margins %v: the pair's product-level margin is negative", m)
	}
}

// Measurements and counts are tokens ("#time", "#num second", "#pct of
// users") whose phrase lines start with "#": they are phrases, not
// comments, so "2 seconds" and "300ms" weigh for performance.
func TestMeasurementPhrasesAreRead(t *testing.T) {
	for _, c := range []struct{ body, phrase string }{
		{"Opening the editor now takes 2 seconds longer.", "#num second"},
		{"This adds 300ms to every request.", "#time"},
		{"The agent now uses 400MB on small VMs.", "#size"},
	} {
		sc := &scratch{ix: testAnalyzer.ix}
		scores, _, _, _ := sc.sentenceScoresDetail(c.body)
		if scores[1] <= 0 {
			t.Errorf("%q: performance phrase score %.2f", c.body, scores[1])
		}
		found := false
		for _, l := range sc.matched {
			found = found || testAnalyzer.lines[l].Phrase == c.phrase
		}
		if !found {
			t.Errorf("%q: the phrase %q did not match", c.body, c.phrase)
		}
	}
	if drop := parsePruned("# a comment\n#time\tperformance\n"); !drop["#time\tperformance"] || len(drop) != 1 {
		t.Errorf("pruned list read as %v", drop)
	}
}
