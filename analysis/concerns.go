package analysis

import (
	"strings"
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
	ix    *lexIndex
	feats featureSet // the hashed features the model reads
	// words holds each word of the sentence last read, as readWords
	// leaves them.
	words []wordInfo
	norm  []byte     // normalised words of one sentence, joined by spaces
	base  [6]float32 // the last sentence's scores before boosts
	quant float32    // the last sentence's measurements
	// uxAffectOnly is set when the last sentence's user_experience score
	// comes only from affect phrases.
	uxAffectOnly bool
	// matched lists the lexicon lines the last sentence matched (for the
	// trainer's counts); hashes its hashed word features.
	matched []int32
	hashes  []uint32
	// rows holds each hash's row in the model's weights (-1 for none),
	// as the Analyzer found them.
	rows []int32
	lang langCount
	// reading is the Analyzer's pass over one comment; onBlock and
	// onSentence are its methods, made into funcs once.
	reading    reading
	last       sentenceFeatures // the previous sentence's features, for pairs
	prose      proseBuf         // the Markdown reader's buffers
	comment    [6]float32       // the comment's features (setComment)
	onStats    func(proseStats)
	names      []byte // the evidence's feature names, before they become one string
	onBlock    func(Block)
	onSentence func(string, int)
}

// wordInfo is one word of a sentence: where its normal form is in
// scratch.norm, its lexicon entry (nil for none) and word number (-1 for
// none), and its feature hashes; pair is the hash of the word pair it
// starts, set once the next word is read.
type wordInfo struct {
	start, end int32
	id         int32
	stemmed    bool
	head       *lexEntry
	word, pair uint32
	stem       uint32
}

// readWords splits a sentence into words, normalised into sc.norm, and
// reads them into sc.words, with their lexicon entries and hashes; it
// counts their letters and function words for the language check.
func (sc *scratch) readWords(s string) {
	sc.norm = sc.norm[:0]
	sc.words = sc.words[:0]
	ix := sc.ix
	var t tokenizer
	t.reset(s)
	// pairState is the pair hash's state after the previous word.
	var pairState uint32
	for {
		w, ok := t.next()
		if !ok {
			break
		}
		n := len(sc.words)
		if n > 0 {
			sc.norm = append(sc.norm, ' ')
		}
		start := len(sc.norm)
		sc.words = append(sc.words, wordInfo{})
		wi := &sc.words[n]
		// ha goes on with the previous word's pair: a pair's bytes are
		// its first word's, a space and the second's.
		ha := (pairState ^ ' ') * 16777619
		from, to := t.i-len(w), t.i
		if t.joined || !((from == 0 || s[from-1] == ' ') && (to == len(s) || s[to] == ' ')) && inNameRun(s, from, to) {
			// "javax.security.auth", "perfMonitor", "lib/Permissions":
			// a name in code, whatever its words say.
			sc.norm = append(sc.norm, identToken...)
			wi.id = ix.ident
			wi.word, wi.stem, wi.stemmed = ix.identHash.word, ix.identHash.stem, ix.identHash.stemmed
			ha = fnvAdd(ha, sc.norm[start:])
			pairState = ix.identHash.pair
		} else {
			if t.plain {
				sc.norm = appendPlainNorm(sc.norm, w)
			} else {
				sc.norm = appendNorm(sc.norm, w)
			}
			norm := sc.norm[start:]
			// hashWord, with the pair that ends here
			hw, hp := seedWord^uint32(2166136261), seedPair^uint32(2166136261)
			for _, c := range norm {
				hw = (hw ^ uint32(c)) * 16777619
				hp = (hp ^ uint32(c)) * 16777619
				ha = (ha ^ uint32(c)) * 16777619
			}
			wi.word, pairState = fnvFinish(hw), hp
			if cut := len(stem(norm)); cut < len(norm) {
				wi.stem, wi.stemmed = hashFeature(seedStem, norm[:cut]), true
			}
			wi.head, wi.id = ix.word(wi.word, norm)
			sc.lang.word(wi.head, &t)
		}
		wi.start, wi.end = int32(start), int32(len(sc.norm))
		if n > 0 {
			sc.words[n-1].pair = fnvFinish(ha)
		}
	}
}

// sentenceScoresDetail also returns the audience and code-talk weights, and
// whether the sentence is unchanged template text (then it has no scores).
func (sc *scratch) sentenceScoresDetail(s string) ([6]float32, float32, float32, bool) {
	sc.readWords(s)
	sc.matched = sc.matched[:0]
	ix := sc.ix
	var scores [6]float32
	var audience, tech, quant float32
	words := sc.words
	n := len(words)
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
		head := words[i].head
		if head == nil || !head.phrase && head.longest == 0 {
			i++
			continue
		}
		if head.codeNoun {
			code++
		}
		matched := 1
		e := head
		if head.longest >= 2 {
			if p, k := ix.longest(words[i:], head.longest); p != nil {
				e, matched = p, k
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
				if e.lines[c] >= 0 {
					sc.matched = append(sc.matched, e.lines[c])
				}
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
			if e.weighs {
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
	sc.quant = quant
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

// identToken stands for a name in code written as prose.
const identToken = "#ident"

// A word is, or is part of, a name in code when it sits in a run without
// spaces that joins words with "::", "_", a dot between longer words
// ("auth.login", not "e.g") or two slashes ("lib/Zend/Permissions", not
// "and/or"), or is in camel case ("perfMonitor"). The tokenizer tells the
// underscore and the camel case (tokenizer.joined); inNameRun, the rest:
// whether the word s[i:j] is part of such a run.
func inNameRun(s string, i, j int) bool {
	if (i == 0 || s[i-1] == ' ') && (j == len(s) || s[j] == ' ') {
		return false
	}
	lo, hi := i, j
	for lo > 0 && s[lo-1] != ' ' && s[lo-1] != '\t' && s[lo-1] != '(' {
		lo--
	}
	for hi < len(s) && s[hi] != ' ' && s[hi] != '\t' && s[hi] != ')' && s[hi] != ',' {
		hi++
	}
	if lo == i && hi == j {
		return false
	}
	run := s[lo:hi]
	slashes, seg := 0, 0
	for k := 0; k < len(run); k++ {
		c := run[k]
		inner := k > 0 && k+1 < len(run) && isWordByte(run[k-1]) && isWordByte(run[k+1])
		switch {
		case c == ':' && k+1 < len(run) && run[k+1] == ':':
			return true
		case c == '.' && inner && (seg >= 2 || k+2 < len(run) && isWordByte(run[k+2])):
			return true
		case c == '/' && inner:
			slashes++
		}
		if isWordByte(c) {
			seg++
		} else {
			seg = 0
		}
	}
	return slashes >= 2
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
