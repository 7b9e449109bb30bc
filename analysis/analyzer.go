package analysis

import (
	_ "embed"
	"math"
	"slices"
	"strings"
	"sync"
)

//go:embed weights.bin
var weightsFile []byte

// Analyzer classifies comments. Build one with New when the program starts
// and share it: it is safe for concurrent use and never changes.
type Analyzer struct {
	lex   lexicon
	lines []LexiconLine
	m     *model
	pool  sync.Pool
}

// New loads the embedded phrase table and weights.
func New() (*Analyzer, error) {
	return newAnalyzer(lexiconFile, parsePruned(prunedFile), weightsFile)
}

func newAnalyzer(lexText string, drop map[string]bool, weights []byte) (*Analyzer, error) {
	lex, lines, err := parseLexicon(lexText, drop)
	if err != nil {
		return nil, err
	}
	m, err := unmarshalModel(weights)
	if err != nil {
		return nil, err
	}
	return newAnalyzerFrom(lex, lines, m), nil
}

func newAnalyzerFrom(lex lexicon, lines []LexiconLine, m *model) *Analyzer {
	a := &Analyzer{lex: lex, lines: lines, m: m}
	a.pool.New = func() any { return &scratch{lex: a.lex} }
	return a
}

// commentScores is what a comment's sentences add up to: each task's best
// sentence log-odds, and that sentence where it passed the threshold.
type commentScores struct {
	best    [nTasks]float32
	text    [nTasks]string // the sentence as read
	orig    [nTasks]string // the sentence as the author wrote it
	english bool
}

// score reads a comment's prose sentence by sentence.
func (a *Analyzer) score(sc *scratch, body string, keepText bool) commentScores {
	var cs commentScores
	for t := range cs.best {
		cs.best[t] = float32(math.Inf(-1))
	}
	sc.lang = langCount{}
	var d [nDense]float32
	readProse(body, func(b Block) {
		if b.Kind == BlockHeading && isTemplateHeading(b.Text) {
			return
		}
		forEachSentenceAt(b.Text, func(s string, at int) {
			if !sc.features(s, &d) {
				return
			}
			z := a.m.score(sc.hashes, &d)
			for t, v := range z {
				if v > cs.best[t] {
					cs.best[t] = v
					if keepText && v >= a.m.thresh[t] {
						cs.text[t] = strings.Clone(s)
						cs.orig[t] = strings.Clone(b.Original(at, at+len(s)))
					}
				}
			}
		})
	})
	cs.english = sc.lang.isEnglish()
	return cs
}

// AnalyzeComment classifies one comment's Markdown body: which product-level
// concerns it reasons about, with the sentence that shows each and what
// weighed most there. Code, logs, quotes, HTML comments and images are not
// read (see Prose). Text that is not English, or has no words, is not
// product-level.
func (a *Analyzer) AnalyzeComment(body string) CommentAnalysis {
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	cs := a.score(sc, body, true)
	out := CommentAnalysis{Concerns: []Concern{}, Evidence: []Evidence{}}
	found := a.m.decide(&cs.best)
	if !cs.english || !found[taskProduct] {
		return out
	}
	read := ""
	for c, concern := range AllConcerns {
		if !found[c] {
			continue
		}
		text, orig := cs.text[c], cs.orig[c]
		if text == "" {
			// A concern taken as the comment's likeliest: its best
			// sentence fell under the threshold, the product one did not.
			text, orig = cs.text[taskProduct], cs.orig[taskProduct]
		}
		out.Concerns = append(out.Concerns, concern)
		ev := a.explain(sc, concern, c, text, &read)
		ev.Text = quote(orig)
		out.Evidence = append(out.Evidence, ev)
	}
	out.ProductLevel = true
	return out
}

// decide turns a comment's best log-odds into decisions: product-level
// when its own model says so, then the concerns over their thresholds, or
// the likeliest one when none is.
func (m *model) decide(best *[nTasks]float32) [nTasks]bool {
	var found [nTasks]bool
	if best[taskProduct] < m.thresh[taskProduct] {
		return found
	}
	found[taskProduct] = true
	top, any := 0, false
	for c := 0; c < taskProduct; c++ {
		if best[c] >= m.thresh[c] {
			found[c], any = true, true
		}
		if best[c]-m.thresh[c] > best[top]-m.thresh[top] {
			top = c
		}
	}
	if !any {
		found[top] = true
	}
	return found
}

// Margins are a comment's log-odds over each threshold, concerns in
// AllConcerns order then product-level: near zero the model is least
// sure, which is where a labeller helps most.
func (a *Analyzer) Margins(body string) [7]float32 {
	sc := a.pool.Get().(*scratch)
	defer a.pool.Put(sc)
	cs := a.score(sc, body, false)
	var out [7]float32
	for t := range out {
		out[t] = cs.best[t] - a.m.thresh[t]
	}
	return out
}

// maxExplained is how many phrases and features an explanation lists.
const maxExplained = 3

// explain says what weighed most for a concern in its evidence sentence:
// the rule phrases that matched, the words and word pairs with the largest
// weights, and which of the two added more.
func (a *Analyzer) explain(sc *scratch, concern Concern, c int, s string, read *string) Evidence {
	ev := Evidence{Concern: concern, Text: quote(s)}
	if *read != s {
		// Several concerns often share a sentence: read it once.
		if !sc.features(s, &sc.dense) {
			return ev
		}
		*read = s
	}
	var rules, words float32
	for k, v := range sc.dense {
		rules += v * a.m.dense[k][c]
	}
	// The strongest word features, best first; ties keep the earlier word.
	type weighed struct {
		start, end int
		w          float32
	}
	var top [maxExplained]weighed
	kept := 0
	n := len(sc.starts)
	for i, h := range sc.hashes {
		r := a.m.rows[h]
		if r == 0 {
			continue
		}
		w := a.m.w[r-1][c]
		words += w
		// hashes alternate word, pair, word, pair, ... (the last word has
		// no pair); stems follow
		start, end := i/2, i/2
		if i%2 == 1 {
			end++
		}
		if w <= 0 || i >= 2*n-1 || end >= n {
			continue
		}
		if start == end && sc.heads[start] != nil && sc.heads[start].lang != 0 {
			continue // "this", "the": true of the data, no help to a reader
		}
		name := sc.norm[sc.starts[start]:sc.ends[end]]
		dup := false
		for _, t := range top[:kept] {
			dup = dup || string(sc.norm[sc.starts[t.start]:sc.ends[t.end]]) == string(name)
		}
		if dup || kept == maxExplained && w <= top[kept-1].w {
			continue
		}
		if kept < maxExplained {
			kept++
		}
		j := kept - 1
		for j > 0 && top[j-1].w < w {
			top[j] = top[j-1]
			j--
		}
		top[j] = weighed{start, end, w}
	}
	for _, t := range top[:kept] {
		ev.Features = append(ev.Features, string(sc.norm[sc.starts[t.start]:sc.ends[t.end]]))
	}
	for _, l := range sc.matched {
		line := a.lines[l]
		if line.Concern == concern && !slices.Contains(ev.Phrases, line.Phrase) && len(ev.Phrases) < maxExplained {
			ev.Phrases = append(ev.Phrases, line.Phrase)
		}
	}
	ev.DecidedBy = "model"
	if rules > words {
		ev.DecidedBy = "rules"
	}
	return ev
}
