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
	ix    *lexIndex
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
	a := &Analyzer{ix: newLexIndex(lex), lines: lines, m: m}
	a.pool.New = func() any { return &scratch{ix: a.ix} }
	return a
}

// commentScores is what a comment's sentences add up to: each task's best
// sentence log-odds, and that sentence where it passed the threshold.
type commentScores struct {
	best    [nTasks]float32
	text    [nTasks]string // the sentence as read
	orig    [nTasks]string // the sentence as the author wrote it
	feats   [nTasks]int    // the sentence's features, in reading.kept
	english bool
}

// reading is the state of one Analyzer.score pass, kept in the scratch so
// that a pass allocates nothing but the sentences it keeps.
type reading struct {
	a        *Analyzer
	keepText bool
	cs       commentScores
	d        [nDense]float32
	block    Block
	// kept holds the features of the sentences kept as evidence, so that
	// explaining one does not read it again; its buffers are reused.
	kept  []sentenceFeatures
	nKept int
}

// sentenceFeatures is a copy of what features left in the scratch for one
// sentence, as explain reads it.
type sentenceFeatures struct {
	norm         []byte
	starts, ends []int32
	heads        []*lexEntry
	hashes       []uint32
	matched      []int32
	dense        [nDense]float32
}

// keep copies the scratch's features of the sentence just read.
func (sc *scratch) keep(d *[nDense]float32) int {
	r := &sc.reading
	if r.nKept == len(r.kept) {
		r.kept = append(r.kept, sentenceFeatures{})
	}
	f := &r.kept[r.nKept]
	f.norm = append(f.norm[:0], sc.norm...)
	f.starts = append(f.starts[:0], sc.starts...)
	f.ends = append(f.ends[:0], sc.ends...)
	f.heads = append(f.heads[:0], sc.heads...)
	f.hashes = append(f.hashes[:0], sc.hashes...)
	f.matched = append(f.matched[:0], sc.matched...)
	f.dense = *d
	r.nKept++
	return r.nKept - 1
}

// score reads a comment's prose sentence by sentence.
func (a *Analyzer) score(sc *scratch, body string, keepText bool) *commentScores {
	r := &sc.reading
	*r = reading{a: a, keepText: keepText, kept: r.kept}
	for t := range r.cs.best {
		r.cs.best[t] = float32(math.Inf(-1))
	}
	sc.lang = langCount{}
	if sc.onBlock == nil {
		sc.onBlock, sc.onSentence = sc.readBlock, sc.readSentence
	}
	readProse(body, sc.onBlock)
	r.cs.english = sc.lang.isEnglish()
	r.block = Block{}
	return &r.cs
}

func (sc *scratch) readBlock(b Block) {
	if b.Kind == BlockHeading && isTemplateHeading(b.Text) {
		return
	}
	sc.reading.block = b
	forEachSentenceAt(b.Text, sc.onSentence)
}

func (sc *scratch) readSentence(s string, at int) {
	r := &sc.reading
	if !sc.features(s, &r.d) {
		return
	}
	m := r.a.m
	z := m.score(sc.hashes, &r.d)
	cs := &r.cs
	// kept once for all the tasks it is best for
	var text, orig string
	feats := 0
	for t, v := range z {
		if v > cs.best[t] {
			cs.best[t] = v
			if r.keepText && v >= m.thresh[t] {
				if text == "" {
					text, orig = strings.Clone(s), strings.Clone(r.block.Original(at, at+len(s)))
					feats = sc.keep(&r.d)
				}
				cs.text[t], cs.orig[t], cs.feats[t] = text, orig, feats
			}
		}
	}
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
	count := 0
	for c := range AllConcerns {
		if found[c] {
			count++
		}
	}
	out.Concerns = make([]Concern, 0, count)
	out.Evidence = make([]Evidence, 0, count)
	for c, concern := range AllConcerns {
		if !found[c] {
			continue
		}
		orig, feats := cs.orig[c], cs.feats[c]
		if cs.text[c] == "" {
			// A concern taken as the comment's likeliest: its best
			// sentence fell under the threshold, the product one did not.
			orig, feats = cs.orig[taskProduct], cs.feats[taskProduct]
		}
		out.Concerns = append(out.Concerns, concern)
		ev := a.explain(&sc.reading.kept[feats], concern, c)
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
func (a *Analyzer) explain(sc *sentenceFeatures, concern Concern, c int) Evidence {
	ev := Evidence{Concern: concern}
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
		row := a.m.row(h)
		if row == nil {
			continue
		}
		w := row[c]
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
	if kept > 0 {
		// One string holds all the names; each feature is a part of it.
		size := 0
		for _, t := range top[:kept] {
			size += int(sc.ends[t.end] - sc.starts[t.start])
		}
		names := make([]byte, 0, size)
		for _, t := range top[:kept] {
			names = append(names, sc.norm[sc.starts[t.start]:sc.ends[t.end]]...)
		}
		all := string(names)
		ev.Features = make([]string, kept)
		for i, t := range top[:kept] {
			size := int(sc.ends[t.end] - sc.starts[t.start])
			ev.Features[i], all = all[:size], all[size:]
		}
	}
	var phrases [maxExplained]string
	np := 0
	for _, l := range sc.matched {
		line := a.lines[l]
		if line.Concern == concern && !slices.Contains(phrases[:np], line.Phrase) && np < maxExplained {
			phrases[np] = line.Phrase
			np++
		}
	}
	if np > 0 {
		ev.Phrases = slices.Clone(phrases[:np])
	}
	ev.DecidedBy = "model"
	if rules > words {
		ev.DecidedBy = "rules"
	}
	return ev
}
