package analysis

import (
	_ "embed"
	"math"
	"slices"
	"sync"
)

//go:embed weights.bin
var weightsFile []byte

// Analyzer classifies comments. Build one with New when the program starts
// and share it: it is safe for concurrent use and never changes.
type Analyzer struct {
	ix    *lexIndex
	lines []LexiconLine
	// lineConcern is each line's concern, by its place in AllConcerns.
	lineConcern []int8
	m           *model
	pool        sync.Pool
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
	a := &Analyzer{ix: newLexIndex(lex), lines: lines, m: m, lineConcern: make([]int8, len(lines))}
	for i, l := range lines {
		a.lineConcern[i] = int8(concernIndex(l.Concern))
	}
	a.pool.New = func() any { return &scratch{ix: a.ix, feats: m.feats} }
	return a
}

// commentScores is what a comment's sentences add up to: each task's best
// log-odds, of one sentence or two in a row, and where it passed the
// threshold, that evidence.
type commentScores struct {
	best [nTasks]float32
	ev   [nTasks]evidenceRef
	// rules is each concern's best phrase score, after the audience,
	// measurement and code-talk adjustments; ruleEv its sentence where it
	// reached ruleShown.
	rules   [6]float32
	ruleEv  [6]evidenceRef
	english bool
}

// evidenceRef is the sentence, or the two sentences in a row, that scored
// a task's best: where the author wrote it, and its features in
// reading.kept (second is -1 for one sentence). The quote is made only for
// the concerns shown.
type evidenceRef struct {
	from, to      original
	first, second int
	ok            bool
}

// reading is the state of one Analyzer.score pass, kept in the scratch so
// that a pass allocates nothing but the sentences it keeps.
type reading struct {
	a        *Analyzer
	keepText bool
	cs       commentScores
	block    Block
	src      string // the Markdown being read
	// refs hold the sentence being read and the one before, for the
	// two-sentence instances: refs[next] is the one being read.
	refs [2]sentenceRef
	next int
	// kept holds the features of the sentences kept as evidence, so that
	// explaining one does not read it again; its buffers are reused.
	kept  []sentenceFeatures
	nKept int
}

// sentenceRef is what the reading keeps of a sentence it has read: the
// log-odds its hashed features add, its rule features, where it came
// from, and its place in kept once kept.
type sentenceRef struct {
	valid  bool
	mask   uint64 // d's features that are not zero (denseMask)
	hashed [nTasks]float32
	d      [nDense]float32
	orig   original
	kept   int // -1 until kept
}

// sentenceFeatures is a copy of what features left in the scratch for one
// sentence, as explain reads it.
type sentenceFeatures struct {
	norm    []byte
	words   []wordInfo
	hashes  []uint32
	rows    []int32 // each hash's row of weights, -1 for none
	matched []int32
	dense   [nDense]float32
}

// keep copies the scratch's features of the sentence just read; from the
// previous sentence's buffers when prev is set.
func (sc *scratch) keep(d *[nDense]float32, prev bool) int {
	r := &sc.reading
	if r.nKept == len(r.kept) {
		r.kept = append(r.kept, sentenceFeatures{})
	}
	src := &sentenceFeatures{norm: sc.norm, words: sc.words, hashes: sc.hashes, rows: sc.rows, matched: sc.matched}
	if prev {
		src = &sc.last
	}
	f := &r.kept[r.nKept]
	f.norm = append(f.norm[:0], src.norm...)
	f.words = append(f.words[:0], src.words...)
	f.hashes = append(f.hashes[:0], src.hashes...)
	f.rows = append(f.rows[:0], src.rows...)
	f.matched = append(f.matched[:0], src.matched...)
	f.dense = *d
	r.nKept++
	return r.nKept - 1
}

// score reads a comment's prose sentence by sentence.
func (a *Analyzer) score(sc *scratch, body string, keepText bool) *commentScores {
	r := &sc.reading
	// Field by field: assigning a whole new reading costs more than the
	// rest of reading a short comment.
	r.a, r.keepText, r.src, r.nKept = a, keepText, body, 0
	r.refs[0].valid, r.refs[1].valid = false, false
	// Only the ok flags: the rest of an evidenceRef is read once it is set.
	for t := range r.cs.ev {
		r.cs.ev[t].ok = false
	}
	for c := range r.cs.ruleEv {
		r.cs.ruleEv[c].ok = false
	}
	r.cs.rules = [6]float32{}
	for t := range r.cs.best {
		r.cs.best[t] = float32(math.Inf(-1))
	}
	sc.lang = langCount{}
	if sc.onBlock == nil {
		sc.onBlock, sc.onSentence, sc.onStats = sc.readBlock, sc.readSentence, sc.setComment
	}
	readProseInto(&sc.prose, body, 0, sc.onBlock, sc.onStats)
	if !sc.prose.keep() {
		sc.prose = proseBuf{}
	}
	r.cs.english = sc.lang.isEnglish()
	r.block = Block{}
	r.src = ""
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
	cur, prev := &r.refs[r.next], &r.refs[1-r.next]
	if !sc.features(s, &cur.d) {
		return
	}
	m := r.a.m
	cur.valid, cur.kept, cur.mask = true, -1, denseMask(&cur.d)
	cur.hashed, sc.rows = m.hashedRows(sc.hashes, sc.rows[:0])
	z := m.densePair(&cur.d, &cur.d, cur.mask)
	for t := range z {
		z[t] += cur.hashed[t]
	}
	m.mixProduct(&z)
	cs := &r.cs
	if r.keepText {
		cur.orig = r.block.original(at, at+len(s))
	}
	for t, v := range z {
		if v > cs.best[t] {
			cs.best[t] = v
			if r.keepText && v >= m.thresh[t] {
				if cur.kept < 0 {
					cur.kept = sc.keep(&cur.d, false)
				}
				cs.ev[t] = evidenceRef{from: cur.orig, first: cur.kept, second: -1, ok: true}
			}
		}
	}
	for c := range cs.rules {
		if v := cur.d[denseScore+c]; v > cs.rules[c] {
			cs.rules[c] = v
			if r.keepText && v >= ruleShown {
				if cur.kept < 0 {
					cur.kept = sc.keep(&cur.d, false)
				}
				cs.ruleEv[c] = evidenceRef{from: cur.orig, first: cur.kept, second: -1, ok: true}
			}
		}
	}
	if m.feats&featWindow != 0 && prev.valid {
		// The sentence with the one before: a reason told in two.
		zw := m.densePair(&prev.d, &cur.d, prev.mask|cur.mask)
		for t := range zw {
			zw[t] += prev.hashed[t] + cur.hashed[t]
		}
		m.mixProduct(&zw)
		for t, v := range zw {
			if v <= cs.best[t] {
				continue
			}
			cs.best[t] = v
			if r.keepText && v >= m.thresh[t] {
				if prev.kept < 0 {
					prev.kept = sc.keep(&prev.d, true)
				}
				if cur.kept < 0 {
					cur.kept = sc.keep(&cur.d, false)
				}
				cs.ev[t] = evidenceRef{from: prev.orig, to: cur.orig, first: prev.kept, second: cur.kept, ok: true}
			}
		}
	}
	r.next = 1 - r.next
	if m.feats&featWindow != 0 && r.keepText {
		// The sentence's features stay at hand for the next one's pair.
		l := &sc.last
		sc.norm, l.norm = l.norm[:0], sc.norm
		sc.words, l.words = l.words[:0], sc.words
		sc.hashes, l.hashes = l.hashes[:0], sc.hashes
		sc.rows, l.rows = l.rows[:0], sc.rows
		sc.matched, l.matched = l.matched[:0], sc.matched
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
	found := a.m.decide(&cs.best, &cs.rules)
	if !cs.english || !found[taskProduct] {
		return out
	}
	count := 0
	for c := range AllConcerns {
		if found[c] {
			count++
		}
	}
	// spare holds room for the evidence's phrases and features.
	var spare []string
	if count == 1 {
		// The common case, in one allocation.
		o := new(oneConcern)
		out.Concerns, out.Evidence, spare = o.concern[:0:1], o.evidence[:0:1], o.strs[:]
	} else {
		out.Concerns = make([]Concern, 0, count)
		out.Evidence = make([]Evidence, 0, count)
	}
	var exps [taskProduct]explanation
	names := sc.names[:0]
	for c, concern := range AllConcerns {
		if !found[c] {
			continue
		}
		ref := cs.ev[c]
		if !ref.ok && cs.best[c] < a.m.thresh[c] && cs.rules[c] >= ruleShown {
			ref = cs.ruleEv[c] // shown for the rules' strong evidence
		}
		if !ref.ok {
			// A concern taken as the comment's likeliest: its best
			// sentence fell under the threshold, the product one did not.
			ref = cs.ev[taskProduct]
		}
		out.Concerns = append(out.Concerns, concern)
		kept := sc.reading.kept
		ev := Evidence{Concern: concern}
		var second *sentenceFeatures
		if ref.second < 0 {
			ev.Text = quote(ref.from.text(body))
		} else {
			second = &kept[ref.second]
			ev.Text = quote(ref.from.text(body) + " " + ref.to.text(body))
		}
		exps[len(out.Evidence)] = a.explain(&kept[ref.first], second, c, &names)
		ev.DecidedBy = exps[len(out.Evidence)].decidedBy
		out.Evidence = append(out.Evidence, ev)
	}
	// The names of all the evidence's features share one string, and
	// their phrases and features one slice.
	total := 0
	for _, x := range exps[:len(out.Evidence)] {
		total += x.np + x.nf
	}
	if total > 0 {
		all := string(names)
		strs := spare[:min(total, len(spare))]
		if len(strs) < total {
			strs = make([]string, total)
		}
		for k, x := range exps[:len(out.Evidence)] {
			ev := &out.Evidence[k]
			if x.np > 0 {
				ev.Phrases = strs[:x.np:x.np]
				copy(ev.Phrases, x.phrases[:x.np])
				strs = strs[x.np:]
			}
			if x.nf > 0 {
				ev.Features = strs[:x.nf:x.nf]
				for i, f := range x.feats[:x.nf] {
					ev.Features[i] = all[f[0]:f[1]]
				}
				strs = strs[x.nf:]
			}
		}
	}
	sc.names = names[:0]
	out.ProductLevel = true
	return out
}

// oneConcern is what AnalyzeComment returns for a comment with one
// concern: the concern, its evidence and the evidence's phrases and
// features, all in one allocation.
type oneConcern struct {
	concern  [1]Concern
	evidence [1]Evidence
	strs     [2 * maxExplained]string
}

// explanation is what explain found for one concern: the phrases, the
// features (as offsets in the names buffer) and which of the two added
// more.
type explanation struct {
	phrases   [maxExplained]string
	feats     [maxExplained][2]int32
	np, nf    int
	decidedBy string
}

// ruleShown is the phrase score at which the rules show a concern beside
// the model's on a product-level comment: twice their own threshold, as
// "adds ~300ms to checkout, and customers will notice" scores performance
// (a duration, a measurement, the people affected). On real text it
// changes the cross-validated figures by under 0.001.
const ruleShown = 2 * concernThreshold

// decide turns a comment's best log-odds into decisions: product-level
// when its own model says so, then the concerns over their thresholds or
// with the rules' strong evidence (rules, each concern's best phrase
// score), or the likeliest one when none is.
func (m *model) decide(best *[nTasks]float32, rules *[6]float32) [nTasks]bool {
	var found [nTasks]bool
	if best[taskProduct] < m.thresh[taskProduct] {
		return found
	}
	found[taskProduct] = true
	top, any := 0, false
	for c := 0; c < taskProduct; c++ {
		if best[c] >= m.thresh[c] || rules[c] >= ruleShown {
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

// topFeatures keeps the word features that weigh most, best first, each
// name once; of two that weigh the same, the one considered first.
type topFeatures struct {
	f    [maxExplained]weighedFeature
	kept int
}

type weighedFeature struct {
	name []byte // in the sentence's normalised words
	w    float32
}

func (top *topFeatures) consider(name []byte, w float32) {
	if top.kept == maxExplained && w <= top.f[maxExplained-1].w {
		return
	}
	for _, t := range top.f[:top.kept] {
		if string(t.name) == string(name) {
			return
		}
	}
	if top.kept < maxExplained {
		top.kept++
	}
	j := top.kept - 1
	for j > 0 && top.f[j-1].w < w {
		top.f[j] = top.f[j-1]
		j--
	}
	top.f[j] = weighedFeature{name, w}
}

// explain says what weighed most for a concern in its evidence, one
// sentence or two in a row (second nil for one): the rule phrases that
// matched, the words and word pairs with the largest weights, and which of
// the two added more.
func (a *Analyzer) explain(first, second *sentenceFeatures, c int, names *[]byte) explanation {
	var ev explanation
	sents := [2]*sentenceFeatures{first, second}
	n := 1
	dense := first.dense
	if second != nil {
		n = 2
		for k := range dense {
			dense[k] = max(dense[k], second.dense[k])
		}
	}
	var rules, words float32
	for k, v := range dense {
		if v != 0 { // the weights are finite: a zero adds nothing
			rules += v * a.m.dense[k][c]
		}
	}
	// The strongest word features, best first; ties keep the earlier word.
	var top topFeatures
	w := a.m.w
	for _, sc := range sents[:n] {
		// hashes hold word, pair, word, pair, ... (the last word has no
		// pair), then stems, which are counted but not named
		named := 2*len(sc.words) - 1
		for i, k := range sc.rows {
			if k < 0 {
				continue
			}
			w := w[k][c]
			words += w
			if w <= 0 || i >= named || top.kept == maxExplained && w <= top.f[maxExplained-1].w {
				continue
			}
			start := i >> 1
			if i&1 == 1 {
				top.consider(sc.norm[sc.words[start].start:sc.words[start+1].end], w)
			} else if head := sc.words[start].head; head == nil || head.lang == 0 {
				// not "this", "the": true of the data, no help to a reader
				top.consider(sc.norm[sc.words[start].start:sc.words[start].end], w)
			}
		}
	}
	for _, t := range top.f[:top.kept] {
		start := int32(len(*names))
		*names = append(*names, t.name...)
		ev.feats[ev.nf] = [2]int32{start, int32(len(*names))}
		ev.nf++
	}
	for _, sc := range sents[:n] {
		for _, l := range sc.matched {
			if int(a.lineConcern[l]) != c || ev.np == maxExplained {
				continue
			}
			if line := &a.lines[l]; !slices.Contains(ev.phrases[:ev.np], line.Phrase) {
				ev.phrases[ev.np] = line.Phrase
				ev.np++
			}
		}
	}
	ev.decidedBy = "model"
	if rules > words {
		ev.decidedBy = "rules"
	}
	return ev
}
