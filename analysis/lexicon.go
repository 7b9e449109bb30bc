package analysis

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

// lexiconFile is the weighted phrase table behind the rule features, one
// phrase a line: "phrase<TAB>concern<TAB>weight<TAB>role", sorted, so a
// change is a one-line diff ("# ..." lines are comments; a phrase may
// start with "#", as the measurement tokens do). A role of "concern" adds
// the weight to the concern; the other roles ("-" as concern) are:
//
//   - audience: words naming the people affected (users, ...);
//     they strengthen any concern in the same sentence
//   - tech: words of code-level talk (rename, unit test, CI, bump, ...);
//     they weaken concerns in a sentence that names no audience
//   - quant: numbers that measure something ("#pct" for "40%")
//   - uxweak, code, ui, affect: see lexEntry
//   - none: phrases that mean nothing here ("for what it's worth"), listed
//     so that their words do not count on their own
//
// Phrases are matched on lowercased words with a light plural stemmer, the
// longest phrase first, so "error message" (user_experience) wins over
// "error" (reliability) and "flaky test" (tech) over "flaky". A number with
// a unit becomes a token: "#time" (300ms, 2 s), "#size" (40MB), "#rate"
// (req/s), "#pct" (12%), "#factor" (3x), "#num" (any other number).
// A weight of 1 is enough on its own; smaller weights need support.
//
// The trainer drops the concern lines that do not pay their way on real
// text; lexicon-pruned.tsv lists them and the Analyzer leaves them out.
//
//go:embed lexicon.tsv
var lexiconFile string

//go:embed lexicon-pruned.tsv
var prunedFile string

// lexEntry is what one phrase contributes to a sentence's scores.
type lexEntry struct {
	weights  [6]float32 // in AllConcerns order
	audience float32
	tech     float32
	quant    float32
	// longest is, on the entry of a first word, the length in words of the
	// longest phrase that starts with it, so most words need one lookup.
	longest int
	// phrase is false for entries that exist only to carry longest.
	phrase bool
	// weakUX marks a user_experience phrase that often names code rather
	// than a person's experience ("confusing", "docs", "default"): its
	// weight counts only next to an affected person or a clear UX word.
	weakUX bool
	// codeNoun marks a word that names a piece of code ("package",
	// "component", "helper"): a phrase right before it is a name, so
	// "onboarding module" or "docs folder" is not a concern.
	codeNoun bool
	// uiNoun marks a word that names a part of a screen ("page", "tab"):
	// a phrase right before it is the part's name, so "reports page" or
	// "billing tab" says nothing about customers or money.
	uiNoun bool
	// affect marks a user_experience phrase that tells only how a person
	// feels about what happened ("annoying", "people expect"): in a
	// sentence with its own evidence for another concern it describes
	// that concern.
	affect bool
	// lang marks a frequent function word: 1 English, 2 and up another
	// language (see language.go).
	lang uint8
	// lines are the lexicon lines behind the entry's concern weights, by
	// concern (-1 for none), so the trainer can count what each one does.
	lines [6]int32
	// weighs is set when the entry has a concern weight or names an
	// audience: a code noun right after it takes it back.
	weighs bool
}

// lexicon maps a normalised phrase (stemmed words joined by one space) to
// its entry.
type lexicon map[string]*lexEntry

// LexiconLine is one concern line of the phrase table, as the trainer
// counts and prunes it.
type LexiconLine struct {
	Phrase  string
	Concern Concern
	Weight  float32
}

// Key is the line's identity in lexicon-pruned.tsv: "phrase<TAB>concern".
func (l LexiconLine) Key() string { return l.Phrase + "\t" + string(l.Concern) }

// parseLexicon reads the phrase table, leaving out the concern lines whose
// keys drop holds. It returns the table and its concern lines, numbered as
// lexEntry.lines numbers them.
func parseLexicon(text string, drop map[string]bool) (lexicon, []LexiconLine, error) {
	lex := make(lexicon, 2048)
	var lines []LexiconLine
	var scratch []byte
	for n, line := range strings.Split(text, "\n") {
		if isTableComment(line) {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 4 {
			return nil, nil, fmt.Errorf("lexicon line %d: want phrase, concern, weight and role separated by tabs", n+1)
		}
		phrase, concern, role := f[0], f[1], f[3]
		w64, err := strconv.ParseFloat(f[2], 32)
		if err != nil {
			return nil, nil, fmt.Errorf("lexicon line %d: weight %q is not a number", n+1, f[2])
		}
		w := float32(w64)
		if role == "concern" && drop[phrase+"\t"+concern] {
			continue
		}
		var t tokenizer
		scratch = scratch[:0]
		words := 0
		t.reset(phrase)
		for {
			tok, ok := t.next()
			if !ok {
				break
			}
			if words > 0 {
				scratch = append(scratch, ' ')
			}
			scratch = appendNorm(scratch, tok)
			words++
		}
		if words == 0 {
			return nil, nil, fmt.Errorf("lexicon line %d: phrase %q has no words", n+1, phrase)
		}
		key := string(scratch)
		e := lex[key]
		if e == nil {
			e = &lexEntry{lines: [6]int32{-1, -1, -1, -1, -1, -1}}
			lex[key] = e
		}
		e.phrase = true
		first, _, _ := strings.Cut(key, " ")
		head := lex[first]
		if head == nil {
			head = &lexEntry{lines: [6]int32{-1, -1, -1, -1, -1, -1}}
			lex[first] = head
		}
		head.longest = max(head.longest, words)
		switch role {
		case "audience":
			e.audience = max(e.audience, w)
		case "tech":
			e.tech = max(e.tech, w)
		case "quant":
			e.quant = max(e.quant, w)
		case "none":
		case "uxweak":
			e.weakUX = true
		case "code":
			e.codeNoun = true
		case "ui":
			e.uiNoun = true
		case "affect":
			e.affect = true
		case "concern":
			i := concernIndex(Concern(concern))
			if i < 0 {
				return nil, nil, fmt.Errorf("lexicon line %d: %q is not a concern", n+1, concern)
			}
			if w > e.weights[i] {
				e.weights[i] = w
				e.lines[i] = int32(len(lines))
			}
			lines = append(lines, LexiconLine{Phrase: phrase, Concern: Concern(concern), Weight: w})
		default:
			return nil, nil, fmt.Errorf("lexicon line %d: unknown role %q", n+1, role)
		}
	}
	for _, e := range lex {
		e.weighs = e.weights != [6]float32{} || e.audience > 0
	}
	addFunctionWords(lex)
	return lex, lines, nil
}

// parsePruned reads lexicon-pruned.tsv: one "phrase<TAB>concern" a line.
func parsePruned(text string) map[string]bool {
	drop := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		if !isTableComment(line) {
			drop[line] = true
		}
	}
	return drop
}

// isTableComment reports whether a line of the phrase table or of the
// pruned list is empty or a comment: "#" alone or followed by a space. A
// phrase may start with "#": "#time", "#pct of users" are the tokens of
// measurements and counts.
func isTableComment(line string) bool {
	return line == "" || line == "#" || strings.HasPrefix(line, "# ")
}

func concernIndex(c Concern) int {
	for i, x := range AllConcerns {
		if x == c {
			return i
		}
	}
	return -1
}
