package analysis

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Scoring constants of the concern classifier, set on the development
// part of the evaluation set (never on the held-out part).
const (
	// concernThreshold is the score a sentence needs for a concern.
	concernThreshold = 1.0
	// audienceBoost is added to a concern that has some support when the
	// same sentence names the people affected.
	audienceBoost = 0.5
	// boostable is the least score a concern needs before an audience or a
	// measurement can lift it; weaker hints stay hints.
	boostable = 0.7
	// quantBoost is added when the sentence measures something (12%, 300ms).
	quantBoost = 0.3
	// techPenalty is taken per unit of code-level talk (capped at two) from
	// a sentence that names no audience and has at least one unit of it.
	techPenalty = 0.6
	// techDamping scales what is left of a code-talk sentence's scores.
	techDamping = 0.6
	// dominance is the share of a sentence's strongest concern score that
	// another concern needs to be shown too.
	dominance = 0.8
	// weakUXScale scales the weight of weakUX phrases in a sentence that
	// names neither a person nor a clear UX word.
	weakUXScale = 0.6
	// weakUXCap is the most they add there: less than the threshold.
	weakUXCap = 0.9
	// maxEvidence caps the length of an evidence quote in bytes.
	maxEvidence = 240
)

// uxIndex is user_experience's place in AllConcerns.
const uxIndex = 0

// unscore takes back what phrase e added to a sentence's scores, but for
// its user_experience weight when keepUX is set.
func (sc *scratch) unscore(scores *[6]float32, weak, audience *float32, e *lexEntry, keepUX bool) {
	*audience -= e.audience
	for c := range scores {
		if c == uxIndex && keepUX {
			continue
		}
		scores[c] -= e.weights[c]
	}
	if e.weakUX && !keepUX {
		scores[uxIndex] += e.weights[uxIndex]
		*weak -= e.weights[uxIndex]
	}
}

// scratch holds the buffers of one analysis, reused through a pool so
// classifying a comment allocates little.
type scratch struct {
	norm   []byte     // normalised words of one sentence, joined by spaces
	starts []int32    // start of each word in norm
	ends   []int32    // end of each word in norm
	base   [6]float32 // the last sentence's scores before boosts
	// uxAffectOnly is set when the last sentence's user_experience score
	// comes only from affect phrases.
	uxAffectOnly bool
	// block is the block being read and at the offset of the sentence in
	// its Text, so evidence can quote the sentence as written.
	block Block
	at    int
	// per comment
	found    [6]bool
	evidence [6]string
	best     [6]float32
	english  int
	foreign  int
	letters  int
	nonLatin int
}

var scratchPool = sync.Pool{New: func() any { return new(scratch) }}

// AnalyzeComment classifies one comment's Markdown body: which product-level
// concerns it reasons about, with the sentence that shows each. Code, logs,
// quotes, HTML comments and images are not read (see Prose). Text that is
// not English, or has no words, is not product-level.
func AnalyzeComment(body string) CommentAnalysis {
	loadModel()
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.resetComment()
	readProse(body, func(b Block) {
		if b.Kind == BlockHeading && isTemplateHeading(b.Text) {
			return
		}
		sc.block = b
		forEachSentenceAt(b.Text, sc.sentenceAt)
	})
	sc.block = Block{}
	out := CommentAnalysis{Concerns: []Concern{}, Evidence: []Evidence{}}
	if !sc.isEnglish() {
		return out
	}
	for i, c := range AllConcerns {
		if sc.found[i] {
			out.Concerns = append(out.Concerns, c)
			out.Evidence = append(out.Evidence, Evidence{Concern: c, Text: sc.evidence[i]})
		}
	}
	out.ProductLevel = len(out.Concerns) > 0
	return out
}

func (sc *scratch) resetComment() {
	sc.found = [6]bool{}
	sc.evidence = [6]string{}
	sc.best = [6]float32{}
	sc.english, sc.foreign, sc.letters, sc.nonLatin = 0, 0, 0, 0
}

// sentenceScoresDetail also returns the audience and code-talk weights, and
// whether the sentence is unchanged template text (then it has no scores).
func (sc *scratch) sentenceScoresDetail(s string) ([6]float32, float32, float32, bool) {
	sc.norm = sc.norm[:0]
	sc.starts = sc.starts[:0]
	sc.ends = sc.ends[:0]
	var t tokenizer
	t.reset(s)
	for {
		w, ok := t.next()
		if !ok {
			break
		}
		sc.countLetters(w)
		if len(sc.starts) > 0 {
			sc.norm = append(sc.norm, ' ')
		}
		sc.starts = append(sc.starts, int32(len(sc.norm)))
		sc.norm = appendNorm(sc.norm, w)
		sc.ends = append(sc.ends, int32(len(sc.norm)))
	}
	var scores [6]float32
	var audience, tech, quant float32
	n := len(sc.starts)
	if n > 0 && n <= maxTemplateWords && isTemplateNorm(sc.norm) {
		return scores, 0, 0, true
	}
	// weak holds the weakUX phrases' user_experience weight; code counts
	// code nouns; prev is the last phrase with weights and prevEnd the word
	// after it, so a code noun right after it can take it back.
	var weak, unanchored, uxOther float32
	var uxAffect bool
	code := 0
	var prev *lexEntry
	prevEnd := -1
	for i := 0; i < n; {
		head := lexicon[string(sc.norm[sc.starts[i]:sc.ends[i]])]
		if head == nil {
			i++
			continue
		}
		switch head.lang {
		case langEnglish:
			sc.english++
		case langForeign:
			sc.foreign++
		}
		if head.codeNoun {
			code++
		}
		matched := 1
		e := head
		for k := min(head.longest, n-i); k >= 2; k-- {
			if p, ok := lexicon[string(sc.norm[sc.starts[i]:sc.ends[i+k-1]])]; ok && p.phrase {
				e, matched = p, k
				break
			}
		}
		if matched == 1 && (head.codeNoun || head.uiNoun) && prevEnd == i && prev != nil {
			// "onboarding module", "docs folder": the phrase names code;
			// "reports page", "billing tab": it names part of a screen,
			// which is all the user experience it says.
			sc.unscore(&scores, &weak, &audience, prev, head.uiNoun)
			prev = nil
		}
		if e.phrase {
			for c := range scores {
				scores[c] += e.weights[c]
			}
			if e.weakUX {
				scores[uxIndex] -= e.weights[uxIndex]
				weak += e.weights[uxIndex]
			}
			if e.weights[uxIndex] > 0 {
				if e.affect {
					uxAffect = true
				} else {
					uxOther += e.weights[uxIndex]
				}
			}
			audience += e.audience
			tech += e.tech
			quant += e.quant
			if e.weights != ([6]float32{}) || e.audience > 0 {
				prev, prevEnd = e, i+matched
			}
		}
		i += matched
	}
	if weak > 0 {
		// Words such as "confusing", "docs" or "default" speak of a person's
		// experience only next to the person or a clear UX word; in talk
		// about code they name the code.
		switch {
		case audience > 0 || scores[uxIndex] > 0:
			scores[uxIndex] += weak
		case code == 0 && tech == 0:
			// Alone they stay a hint, however many: the model may weigh it.
			scores[uxIndex] += min(weak*weakUXScale, weakUXCap)
			unanchored = weak - min(weak*weakUXScale, weakUXCap)
		}
	}
	sc.uxAffectOnly = uxAffect && uxOther == 0
	sc.base = scores
	// The model may still weigh an unanchored hint in full.
	sc.base[uxIndex] += unanchored
	for c := range scores {
		if scores[c] == 0 {
			continue
		}
		if scores[c] >= boostable && audience > 0 {
			scores[c] += audienceBoost
		}
		if scores[c] >= boostable && quant > 0 {
			scores[c] += quantBoost
		}
		if tech >= 1 && audience == 0 {
			// A sentence about code, tests or CI that names nobody affected.
			scores[c] = (scores[c] - techPenalty*min(tech, 2)) * techDamping
		}
	}
	return scores, audience, tech, false
}

// sentence scores one sentence and records the concerns it shows: those
// the phrase rules find, and those the model is confident of in a sentence
// that is not code talk.
func (sc *scratch) sentenceAt(s string, at int) {
	sc.at = at
	sc.sentence(s)
}

func (sc *scratch) sentence(s string) {
	scores, audience, tech, template := sc.sentenceScoresDetail(s)
	base := sc.base
	if template || (strings.IndexByte(s, '[') >= 0 && (strings.Contains(s, "[e.g.") || strings.Contains(s, "[...]"))) {
		return
	}
	ruled := false
	for _, v := range scores {
		ruled = ruled || v >= concernThreshold
	}
	var hint float32
	for _, v := range base {
		hint = max(hint, v)
	}
	if !ruled && tech == 0 && len(sc.starts) >= 3 && (hint >= modelHint || audience > 0) {
		// The rules found only hints: ask the model.
		z := sc.modelScores()
		if z[modelProd] >= modelProdLogit {
			// The concern is the rules' strongest hint, else the model's.
			top := 0
			for c := range scores {
				if z[c] > z[top] {
					top = c
				}
			}
			if hint >= modelHint {
				for c := range base {
					if base[c] == hint {
						top = c
						break
					}
				}
			}
			for c := range scores {
				if z[c] >= 0 {
					scores[c], base[c] = concernThreshold, concernThreshold
				}
			}
			scores[top], base[top] = concernThreshold, concernThreshold
		}
	}
	// A sentence shows its leading concerns, not every concern it brushes:
	// keep those within reach of the strongest.
	var top float32
	for _, v := range scores {
		top = max(top, v)
	}
	if sc.uxAffectOnly {
		// "annoying", "people expect" next to evidence for another concern
		// tell how that concern feels.
		for c := 1; c < len(base); c++ {
			if base[c] >= concernThreshold {
				scores[uxIndex] = 0
				break
			}
		}
	}
	for c, v := range scores {
		if v < dominance*top && (base[c] < concernThreshold || c == uxIndex) {
			continue // reached the threshold only through boosts
		}
		if v >= concernThreshold && v > sc.best[c] {
			sc.found[c] = true
			sc.best[c] = v
			sc.evidence[c] = strings.Clone(quote(sc.block.Original(sc.at, sc.at+len(s))))
		}
	}
}

// englishWords and foreignWords are frequent function words; a text with
// more of the second kind is not English.
var englishWords = map[string]bool{
	"the": true, "a": true, "an": true, "is": true, "are": true, "was": true, "to": true, "of": true, "and": true,
	"in": true, "it": true, "this": true, "that": true, "we": true, "you": true, "i": true, "for": true, "on": true,
	"be": true, "with": true, "not": true, "if": true, "but": true, "can": true, "will": true, "would": true,
	"should": true, "have": true, "has": true, "do": true, "does": true, "what": true, "when": true, "our": true,
	"they": true, "there": true, "at": true, "by": true, "from": true, "or": true, "so": true, "as": true,
	"it's": true, "don't": true, "i'm": true, "we're": true, "won't": true, "can't": true, "how": true, "why": true,
	"more": true, "than": true, "all": true, "my": true, "me": true, "just": true, "also": true, "now": true,
}

var foreignWords = map[string]bool{
	// German
	"der": true, "die": true, "das": true, "und": true, "ist": true, "nicht": true, "ein": true, "eine": true,
	"ich": true, "wir": true, "mit": true, "auf": true, "für": true, "von": true, "zu": true, "sehr": true, "auch": true, "wenn": true,
	// Spanish, Portuguese, Italian
	"el": true, "los": true, "las": true, "es": true, "y": true, "que": true, "de": true, "para": true, "por": true, "con": true,
	"una": true, "muy": true, "pero": true, "está": true, "esta": true, "em": true, "um": true, "uma": true, "não": true,
	"com": true, "é": true, "il": true, "che": true, "non": true, "della": true, "sono": true, "lo": true, "gli": true,
	"del": true, "se": true, "como": true, "mas": true, "hay": true,
	// French
	"le": true, "les": true, "est": true, "et": true, "pas": true, "une": true, "des": true, "du": true, "je": true,
	"nous": true, "vous": true, "avec": true, "sur": true, "dans": true, "très": true, "ce": true, "cette": true, "qui": true,
	// Dutch
	"het": true, "een": true, "niet": true, "van": true, "zijn": true, "ik": true, "dat": true, "wij": true, "ook": true,
}

// countLetters counts a word's letters and those outside Latin scripts.
func (sc *scratch) countLetters(w string) {
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c < utf8.RuneSelf {
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
				sc.letters++
			}
			continue
		}
		r, n := utf8.DecodeRuneInString(w[i:])
		if unicode.IsLetter(r) {
			sc.letters++
			if r >= 0x250 {
				sc.nonLatin++
			}
		}
		i += n - 1
	}
}

// isEnglish judges the text read so far: mostly Latin letters, and not
// more foreign function words than English ones.
func (sc *scratch) isEnglish() bool {
	if sc.letters == 0 {
		return false
	}
	if sc.nonLatin*10 > sc.letters*3 {
		return false
	}
	return !(sc.foreign >= 2 && sc.foreign > sc.english)
}

// forEachSentence calls fn on each sentence of a block of prose.
func forEachSentence(text string, fn func(string)) {
	forEachSentenceAt(text, func(s string, _ int) { fn(s) })
}

// quote trims a sentence to an evidence quote, cutting long ones at a word
// boundary.
func quote(s string) string {
	if len(s) <= maxEvidence {
		return s
	}
	cut := maxEvidence
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	if sp := strings.LastIndexByte(s[:cut], ' '); sp > maxEvidence/2 {
		cut = sp
	}
	return s[:cut] + "…"
}
