package analysis

import "sync"

// DetectRationale asks of single sentences whether they reason about an
// effect on users or outcomes, with the phrase rules alone: a sentence
// showing a concern at the rules' threshold does. The whole phrase table
// is parsed once when the package loads; it is data, not a fitted model.
var ruleLexicon = func() lexicon {
	lex, _, err := parseLexicon(lexiconFile, nil)
	if err != nil {
		panic(err)
	}
	return lex
}()

// ruleIndex is ruleLexicon laid out for reading.
var ruleIndex = newLexIndex(ruleLexicon)

var scratchPool = sync.Pool{New: func() any { return &scratch{ix: ruleIndex} }}

// ruleJudge is the phrase rules' verdict on one sentence or short text.
func ruleJudge(text string) CommentAnalysis {
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	sc.lang = langCount{}
	var found [6]bool
	forEachSentence(text, func(s string) {
		scores, _, _, template := sc.sentenceScoresDetail(s)
		if template {
			return
		}
		var top float32
		for _, v := range scores {
			top = max(top, v)
		}
		if sc.uxAffectOnly {
			// "annoying", "people expect" next to evidence for another
			// concern tell how that concern feels.
			for c := 1; c < len(scores); c++ {
				if sc.base[c] >= concernThreshold {
					scores[uxIndex] = 0
					break
				}
			}
		}
		for c, v := range scores {
			if v < dominance*top && (sc.base[c] < concernThreshold || c == uxIndex) {
				continue // reached the threshold only through boosts
			}
			if v >= concernThreshold {
				found[c] = true
			}
		}
	})
	out := CommentAnalysis{}
	if !sc.lang.isEnglish() {
		return out
	}
	for c, f := range found {
		if f {
			out.Concerns = append(out.Concerns, AllConcerns[c])
		}
	}
	out.ProductLevel = len(out.Concerns) > 0
	return out
}
