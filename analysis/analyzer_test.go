package analysis

import (
	"bytes"
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
